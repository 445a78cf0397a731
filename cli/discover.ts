import { InputError } from "../lib/errors";
import { DEFAULT_CONCURRENCY } from "../org/discover";
import { callerAccountId, createOrganizationsClient, discoverToFile } from "../org/live";
import { createCloudTrailClient } from "../org/trails";
import { createCloudFormationClient } from "../org/stackSets";
import { defineCommand, runWhenMain } from "./command";

export const discoverCommand = defineCommand(
  {
    name: "discover",
    summary:
      "read the live organization (accounts, OUs, SCPs, trusted access, delegated administrators, organization trails, the fast path's stack instances) into a snapshot file",
    options: {
      out: {
        type: "string",
        value: "stacks/org.<env>.json",
        required: true,
        output: true,
        description: "the snapshot file to write",
      },
      profile: {
        type: "string",
        value: "<name>",
        description: "the AWS profile (default: the SDK's credential chain)",
      },
      region: { type: "string", value: "<region>", description: "the AWS region of the calls" },
      concurrency: {
        type: "string",
        value: "<n>",
        description: `walks in flight per operation, 1 to 64 (default ${DEFAULT_CONCURRENCY})`,
      },
    },
    details: [
      "Needs the management account's credentials (or a delegated administrator's for Organizations).",
      "The fast path's stack set is read in --region: give the stack's homeRegion.",
    ],
  },
  async ({ values }, io) => {
    const concurrency =
      values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new InputError(
        `--concurrency must be a whole number from 1 to 64, got ${values.concurrency}`,
      );
    }
    const options = { profile: values.profile || undefined, region: values.region || undefined };
    const client = createOrganizationsClient(options);
    const cloudTrail = createCloudTrailClient(options);
    const cloudFormation = createCloudFormationClient(options);
    try {
      const discovery = await discoverToFile(client, values.out, {
        concurrency,
        callerAccountId: await callerAccountId(client),
        cloudTrail,
        cloudFormation,
      });
      const { snapshot } = discovery;
      io.stdout(
        `Discovered ${snapshot.organization.Id}: ${snapshot.accounts.length} accounts, ` +
          `${snapshot.organizationalUnits.length} OUs, ${snapshot.policies?.length ?? 0} SCPs, ` +
          `${snapshot.trails?.length ?? 0} organization trails, ` +
          (snapshot.stackSet?.Exists
            ? `${snapshot.stackSet.Instances.length} fast-path stack instances `
            : "no fast-path stack set ") +
          `with ${discovery.calls} API calls in ${discovery.seconds.toFixed(1)} s\n` +
          `Wrote ${values.out}\n`,
      );
    } finally {
      client.destroy();
      cloudTrail.destroy();
      cloudFormation.destroy();
    }
  },
);

runWhenMain(module, discoverCommand);
