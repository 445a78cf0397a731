import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { projectConfigFromPulumi, validateGuardrailConfig } from "../config/validate";
import { InputError } from "../lib/errors";
import { PROJECT_DIR, readStackFile } from "../offline/stackFile";
import { runCommandAsync } from "./support/cli";
import { DEV, devOrganization } from "./support/fixtures";

/** The production template a real repository starts from (README, "Using it for real"). */
const TEMPLATE = readFileSync(path.join(PROJECT_DIR, "templates", "Pulumi.prod.yaml"), "utf8");

function configOf(text: string): Record<string, unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), "template-"));
  writeFileSync(path.join(dir, "Pulumi.prod.yaml"), text);
  return projectConfigFromPulumi(readStackFile("prod", PROJECT_DIR, dir).config) ?? {};
}

describe("templates/Pulumi.prod.yaml", () => {
  const organization = devOrganization();
  const now = new Date();

  it("cannot deploy as it is: every placeholder is refused, each under its key", () => {
    let problems: readonly string[] = [];
    try {
      validateGuardrailConfig(configOf(TEMPLATE), { organization, now });
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      problems = (error as InputError).problems;
    }
    const keys = problems.map((problem) => problem.split(":").slice(0, 2).join(":"));
    for (const key of [
      "aws-org-guardrails:managementAccountId",
      "aws-org-guardrails:homeRegion",
      "aws-org-guardrails:logArchive.accountId",
    ]) {
      expect(
        keys.some((k) => k.startsWith(key)),
        `${key} in ${problems.join(" | ")}`,
      ).toBe(true);
    }
    expect(problems.some((problem) => problem.includes("alerts.emails"))).toBe(true);
    expect(problems.some((problem) => problem.includes("alerts.paging.emails"))).toBe(true);
  });

  it("is valid once its placeholders are filled in: every key it names is one the program knows", () => {
    const filled = TEMPLATE.replace(
      '"<management account id, 12 digits, quoted>"',
      `"${DEV.management}"`,
    )
      .replace("<region, e.g. eu-west-1>", "eu-west-1")
      .replace('"<log-archive account id, 12 digits, quoted>"', `"${DEV.logArchive}"`)
      .replace("<security team address>", "security@example.com")
      .replace("<on-call address>", "oncall@example.com");
    const values = filled.split("\n").filter((line) => !line.trim().startsWith("#"));
    expect(values.filter((line) => /<[^>]+>/.test(line))).toEqual([]);
    const config = validateGuardrailConfig(configOf(filled), { organization, now });
    expect(config.centralLogs.location).toBe("delegatedAdministrator");
    expect(config.alerts.paging?.emails).toEqual(["oncall@example.com"]);
    expect(config.protectAuditData).toBe(true);
  });
});

/**
 * Every environment this repository deploys (`stacks/Pulumi.<env>.yaml`, the files the pipeline
 * lists) must plan offline against its own snapshot: a change that breaks a real stack's config
 * fails here, not in its pipeline. A repository without stack files has none to plan.
 */
const STACKS_DIR = path.join(PROJECT_DIR, "stacks");
const ENVIRONMENTS = existsSync(STACKS_DIR)
  ? readdirSync(STACKS_DIR)
      .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
      .filter((env): env is string => env !== undefined)
      .sort()
  : [];

// (In this file, beside the template they start from, so a repository without stacks still has
// tests here.)
describe("the repository's own stacks", () => {
  it.each(ENVIRONMENTS)("stacks/Pulumi.%s.yaml plans against its snapshot", async (env) => {
    const snapshot = path.join(STACKS_DIR, `org.${env}.json`);
    expect(existsSync(snapshot), `${snapshot}: run npm run discover -- --out ${snapshot}`).toBe(
      true,
    );
    const result = await runCommandAsync("plan", ["--stack", env]);
    expect(result.stderr, env).toBe("");
    expect(result.status, env).toBe(0);
    expect(result.stdout).toMatch(/\d+ AWS resources/);
  });
});
