import { statSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "../lib/errors";
import { DEFAULT_CONCURRENCY } from "../org/discover";
import { callerAccountId, createOrganizationsClient, discoverToFile } from "../org/live";
import { createCloudTrailClient } from "../org/trails";
import { runCli } from "./run";

const USAGE =
  "usage: npm run discover -- --out stacks/org.<env>.json [--profile <name>] [--region <region>] [--concurrency <n>]";

export interface DiscoverArgs {
  readonly out: string;
  readonly profile?: string;
  readonly region?: string;
  readonly concurrency: number;
}

export function parseDiscoverArgs(argv: string[]): DiscoverArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: "string" },
        profile: { type: "string" },
        region: { type: "string" },
        concurrency: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new InputError(`${(error as Error).message.split("\n").join(" ")}; ${USAGE}`);
  }
  if (values.out === undefined || values.out === "") {
    throw new InputError(`--out is required; ${USAGE}`);
  }
  const concurrency =
    values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new InputError(
      `--concurrency must be a whole number from 1 to 64, got ${values.concurrency}; ${USAGE}`,
    );
  }
  // Checked before any AWS call: a long discovery must not end in an unwritable path.
  const directory = path.dirname(path.resolve(values.out));
  let isDirectory = false;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new InputError(
      `--out ${values.out}: directory ${directory} does not exist; create it first`,
    );
  }
  return {
    out: values.out,
    profile: values.profile || undefined,
    region: values.region || undefined,
    concurrency,
  };
}

runCli("discover", async () => {
  const args = parseDiscoverArgs(process.argv.slice(2));
  const client = createOrganizationsClient({ profile: args.profile, region: args.region });
  const cloudTrail = createCloudTrailClient({ profile: args.profile, region: args.region });
  try {
    const discovery = await discoverToFile(client, args.out, {
      concurrency: args.concurrency,
      callerAccountId: await callerAccountId(client),
      cloudTrail,
    });
    const { snapshot } = discovery;
    process.stdout.write(
      `Discovered ${snapshot.organization.Id}: ${snapshot.accounts.length} accounts, ` +
        `${snapshot.organizationalUnits.length} OUs, ${snapshot.policies?.length ?? 0} SCPs, ` +
        `${snapshot.trails?.length ?? 0} organization trails ` +
        `with ${discovery.calls} API calls in ${discovery.seconds.toFixed(1)} s\n` +
        `Wrote ${args.out}\n`,
    );
  } finally {
    client.destroy();
    cloudTrail.destroy();
  }
});
