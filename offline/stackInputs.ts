import * as path from "node:path";
import { DeclaredTopology, resolveDeclared } from "../config/declared";
import { deriveNames, GuardrailNames } from "../config/names";
import { GuardrailConfig } from "../config/schema";
import { validateStackConfig } from "../config/validate";
import { OrganizationModel } from "../org/model";
import { readSnapshotFile } from "../org/source";
import { planServiceControlPolicies, ScpPlan } from "../policies/scpPlan";
import { defaultSnapshotPath, PROJECT_DIR, readStackFile } from "./stackFile";

export interface StackInputs {
  readonly stackFile: string;
  readonly orgSnapshot: string;
  readonly config: GuardrailConfig;
  readonly organization: OrganizationModel;
  readonly names: GuardrailNames;
  readonly scps: ScpPlan;
  readonly topology: DeclaredTopology;
}

/**
 * A stack's validated config against an organization snapshot, with everything the program
 * derives from them before registering resources: the same pure steps as index.ts, for the
 * commands that report on a stack without running it (coverage, adopt).
 */
export function loadStackInputs(options: {
  readonly stack: string;
  readonly orgSnapshot?: string;
  readonly now?: Date;
  readonly projectDir?: string;
  readonly stacksDir?: string;
}): StackInputs {
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const stackFile = readStackFile(options.stack, projectDir, options.stacksDir);
  const orgSnapshot =
    options.orgSnapshot ?? defaultSnapshotPath(options.stack, projectDir, options.stacksDir);
  const organization = readSnapshotFile(orgSnapshot);
  const config = validateStackConfig(stackFile.config, {
    organization,
    now: options.now ?? new Date(),
    source: path.relative(process.cwd(), stackFile.path),
    yamlNumbers: stackFile.numbers,
  });
  const names = deriveNames(config, organization);
  return {
    stackFile: stackFile.path,
    orgSnapshot,
    config,
    organization,
    names,
    scps: planServiceControlPolicies(config, organization, names),
    topology: resolveDeclared(config.organizationalUnits, config.accounts, organization),
  };
}
