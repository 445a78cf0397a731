import { readJsonInput } from "../lib/files";
import { OrganizationModel } from "./model";
import { parseSnapshot } from "./snapshot";

/**
 * Environment variable naming a snapshot file to read instead of the live organization. The
 * offline plan sets it; a pipeline without Organizations read access may set it too.
 */
export const SNAPSHOT_ENV = "AWS_ORG_GUARDRAILS_SNAPSHOT";

export function readSnapshotFile(path: string): OrganizationModel {
  const document = readJsonInput(path, path, {
    notFound: `organization snapshot not found; write one with npm run discover -- --out ${path}`,
  });
  return parseSnapshot(document, path);
}

/**
 * The organization the program plans against: the snapshot named by `AWS_ORG_GUARDRAILS_SNAPSHOT`
 * when set, else the live organization read with the credentials Pulumi runs with.
 */
export async function loadOrganization(options: {
  readonly env?: NodeJS.ProcessEnv;
  readonly region?: string;
}): Promise<OrganizationModel> {
  const env = options.env ?? process.env;
  const snapshotPath = env[SNAPSHOT_ENV];
  if (snapshotPath !== undefined && snapshotPath !== "") {
    return readSnapshotFile(snapshotPath);
  }
  // Loaded on demand: the offline plan and the tests never pay for the AWS SDK.
  const { readLiveOrganization } = await import("./live");
  return readLiveOrganization({ region: options.region });
}
