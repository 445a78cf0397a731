import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ServiceControlPolicy } from "../components/serviceControlPolicy";
import { Baseline, readBaseline } from "../offline/baseline";
import { SCP_DEFINITIONS } from "../policies/scpDefinitions";
import { PlannedScp } from "../policies/scpPlan";
import { evaluateComponent } from "./support/component";
import { diffPlan, topLevel } from "../offline/diff";
import { judgeDiff } from "../offline/diffReport";
import { RecordedResource } from "../offline/engine";
import { runCommandAsync } from "./support/cli";
import {
  DEV,
  FIXTURE_STACKS,
  hoursFromNow,
  stacksWith,
  plannedRootAccessScp,
} from "./support/fixtures";
import { runProgram } from "./support/program";
import { stackExportOf } from "./support/stackExport";

const work = mkdtempSync(path.join(tmpdir(), "plan-diff-work-"));
const planBaseline = path.join(work, "base-plan.json");
const stateBaseline = path.join(work, "stack-export.json");
let exported: { deployment: { resources: Record<string, unknown>[] } };

async function planAgainst(
  stacksDir: string,
  baseline: string,
  extra: string[] = [],
): Promise<{ status: number | null; stdout: string; stderr: string; json: any }> {
  const json = path.join(mkdtempSync(path.join(tmpdir(), "plan-diff-out-")), "diff.json");
  const result = await runCommandAsync("plan", [
    "--stack",
    "dev",
    "--stacks",
    stacksDir,
    "--baseline",
    baseline,
    "--json",
    json,
    ...extra,
  ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(json, "utf8"));
  } catch {
    parsed = undefined;
  }
  return { ...result, json: parsed };
}

/** The resources a diff changes, as `op name`. */
function changed(json: any): string[] {
  return json.steps
    .filter((step: any) => !["same", "create-replacement", "delete-replaced"].includes(step.op))
    .map((step: any) => `${step.op} ${step.urn.split("::").pop()}`)
    .sort();
}

beforeAll(async () => {
  const result = await runCommandAsync("plan", [
    "--stack",
    "dev",
    "--stacks",
    FIXTURE_STACKS,
    "--json",
    planBaseline,
  ]);
  expect(result.status, result.stderr).toBe(0);
  // The state a `pulumi up` of the same stack leaves, as `pulumi stack export` writes it.
  exported = stackExportOf(await runProgram()) as typeof exported;
  writeFileSync(stateBaseline, `${JSON.stringify(exported, null, 4)}\n`);
}, 120_000);

describe("npm run plan -- --baseline", () => {
  it("prints no changes against its own plan and against its own deployed state", async () => {
    const [plan, state] = await Promise.all([
      planAgainst(FIXTURE_STACKS, planBaseline),
      planAgainst(FIXTURE_STACKS, stateBaseline),
    ]);
    for (const [result, kind] of [
      [plan, "a plan"],
      [state, "the deployed state, pulumi stack export"],
    ] as const) {
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`(${kind})`);
      expect(result.stdout).toMatch(/^Resources: no changes, \d+ unchanged\.$/m);
      expect(result.stdout).not.toMatch(/^\S+\s+(create|update|replace|delete|import) /m);
      expect(result.json.steps.every((step: any) => step.op === "same")).toBe(true);
      expect(result.json.guard.passed).toBe(true);
    }
  });

  it("opening a break-glass window updates the root-access policy and the notifier, nothing else", async () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:rootAccess"].breakGlass = [
        { accountId: DEV.webDev, reason: "INC-1", expiresAt: hoursFromNow(3) },
      ];
    });
    const result = await planAgainst(dir, planBaseline);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(changed(result.json)).toEqual([
      "update root-access-policy",
      "update root-activity-notifier-function",
    ]);
    expect(result.stdout).toContain(`+ statement "BreakGlassEnds${DEV.webDev}" `);
    expect(result.stdout).toMatch(/~ environment\.variables\.BREAK_GLASS_WINDOWS: "\[\]" => /);
    expect(result.stdout).toMatch(/^Resources: 2 to update, \d+ unchanged\.$/m);
    // Only changes are printed: no line for an unchanged resource.
    expect(result.stdout).not.toContain("organization-trail-trail");
    const policy = result.json.steps.find((step: any) => step.urn.endsWith("::root-access-policy"));
    expect(policy).toMatchObject({
      op: "update",
      diffReasons: ["content"],
      detailedDiff: { content: { kind: "update", inputDiff: true } },
    });
    expect(policy.oldState.inputs.content).not.toBe(policy.newState.inputs.content);
  });

  it("a retention change is one update of the central log group", async () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:centralLogs"].retentionInDays = 731;
    });
    const result = await planAgainst(dir, stateBaseline);
    expect(result.status, result.stderr).toBe(0);
    expect(changed(result.json)).toEqual(["update organization-trail-log-group"]);
    expect(result.stdout).toContain("~ retentionInDays: 365 => 731");
    expect(result.stdout).toContain("Resources: 1 to update, ");
  });

  it("an account's e-mail change is a replacement the guard stops, in words", async () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:accounts"][0].email = "aws-alice@example.com";
    });
    const result = await planAgainst(dir, stateBaseline);
    expect(result.status).toBe(1);
    expect(changed(result.json)).toEqual(["replace member-accounts-sandbox-alice"]);
    expect(result.stdout).toContain("Guard: STOPPED, 1 destructive change(s):");
    expect(result.stdout).toMatch(
      /account member-accounts-sandbox-alice \(id member-accounts-sandbox-alice-id\): its e-mail changes from "aws-sandbox-alice@example.com" to "aws-alice@example.com", .*pulumi up would create a new account and leave this one in the organization, outside the stack/,
    );
    // The replacement's steps, as pulumi preview --json --show-replacement-steps has them.
    const steps = result.json.steps.filter((step: any) =>
      step.urn.endsWith("::member-accounts-sandbox-alice"),
    );
    expect(steps.map((step: any) => step.op)).toEqual([
      "create-replacement",
      "replace",
      "delete-replaced",
    ]);
    expect(steps[1]).toMatchObject({
      replaceReasons: ["email"],
      detailedDiff: { email: { kind: "update-replace", inputDiff: true } },
    });
    expect(result.json.guard).toMatchObject({ passed: false, allowDestructive: false });

    const allowed = await planAgainst(dir, stateBaseline, ["--allow-destructive"]);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain("allowed by --allow-destructive");
  });

  it("switching the log group's location replaces what moves; Pulumi refuses the protected key, the guard names the rest", async () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:centralLogs"].location = "delegatedAdministrator";
    });
    const result = await planAgainst(dir, stateBaseline);
    expect(result.status).toBe(1);
    const ops = changed(result.json);
    expect(ops).toContain("replace organization-trail-log-group-key");
    expect(ops).toContain("replace organization-trail-log-group");
    // The trail gets its delegated name, which it cannot change in place.
    expect(ops).toContain("replace organization-trail-trail");
    const trail = result.json.steps.find(
      (step: any) => step.op === "replace" && step.urn.endsWith("::organization-trail-trail"),
    );
    expect(trail.replaceReasons).toEqual(["name", "provider"]);
    const key = result.json.steps.find(
      (step: any) =>
        step.op === "replace" && step.urn.endsWith("::organization-trail-log-group-key"),
    );
    expect(key).toMatchObject({ refused: "protected" });
    expect(key.replaceReasons).toContain("provider");
    expect(result.stdout).toMatch(/Pulumi would refuse \d+ step\(s\):/);
    expect(result.stdout).toContain(
      "pulumi state unprotect 'urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:logs:OrganizationTrail$aws:kms/key:Key::organization-trail-log-group-key'",
    );
    expect(result.stdout).toMatch(
      /the central log group organization-trail-log-group \(id organization-trail-log-group-id\), .* would be replaced \(its provider, the account or region it lives in, changes\)/,
    );
  });

  it("a declared account that exists but is not in the state is an import with its command, never a create", async () => {
    const withoutAlice = {
      ...exported,
      deployment: {
        ...exported.deployment,
        resources: exported.deployment.resources.filter(
          (resource) => !String(resource.urn).endsWith("::member-accounts-sandbox-alice"),
        ),
      },
    };
    const file = path.join(work, "without-alice.json");
    writeFileSync(file, JSON.stringify(withoutAlice));
    const result = await planAgainst(FIXTURE_STACKS, file);
    // The program does not import by itself: pulumi up would try to create it, so it stops here.
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain("Import first, 1 resource(s):");
    expect(changed(result.json)).toEqual(["import member-accounts-sandbox-alice"]);
    expect(result.stdout).toMatch(
      /adopt it: pulumi import --stack dev --yes --parent .* aws:organizations\/account:Account member-accounts-sandbox-alice \d{12}/,
    );
    // Against a plan, the same account cannot be told apart: said once.
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:accounts"].push({
        name: "data-lake",
        email: "aws-data-lake@example.com",
        ou: "ou-4f8a-sandb0x1",
      });
    });
    const planned = await planAgainst(dir, planBaseline);
    expect(planned.status, planned.stderr).toBe(0);
    expect(changed(planned.json)).toEqual(["create member-accounts-data-lake"]);
    expect(planned.stdout.match(/cannot be told from it/g)).toHaveLength(1);
  });

  it("stops what weakens the guard later: a guarded resource losing protect, an account renamed into a new one", async () => {
    const unprotected = stacksWith((config) => {
      config["aws-org-guardrails:protectAuditData"] = false;
    });
    const renamed = stacksWith((config) => {
      config["aws-org-guardrails:accounts"][1].name = "sandbox-robert";
      config["aws-org-guardrails:accounts"][1].email = "aws-sandbox-robert@example.com";
    });
    const [lost, rename] = await Promise.all([
      planAgainst(unprotected, stateBaseline),
      planAgainst(renamed, stateBaseline),
    ]);
    expect(lost.status, lost.stderr).toBe(1);
    expect(lost.stdout).not.toContain("no changes");
    expect(lost.stdout).toMatch(/options +aws:cloudtrail\/trail:Trail +organization-trail-trail/);
    expect(lost.stdout).toContain("~ (option) protect: true => false");
    expect(lost.stdout).toMatch(
      /the organization trail organization-trail-trail, .* would lose protect/,
    );
    expect(rename.status).toBe(1);
    expect(changed(rename.json)).toEqual([
      "create member-accounts-sandbox-robert",
      "delete member-accounts-sandbox-bob",
    ]);
    expect(rename.stdout).toMatch(
      /account member-accounts-sandbox-bob \(id member-accounts-sandbox-bob-id\) leaves the stack.* while member-accounts-sandbox-robert is created: if this is a rename, pulumi up makes a new AWS account/,
    );
  });

  it("writes the diff as Markdown for a job summary: changes, the guard's verdict, details collapsed", async () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:accounts"][0].email = "aws-alice@example.com";
    });
    const markdown = path.join(work, "summary.md");
    const result = await planAgainst(dir, stateBaseline, ["--markdown", markdown]);
    expect(result.status).toBe(1);
    const text = readFileSync(markdown, "utf8");
    expect(text).toContain("### Offline plan of stack `dev`");
    expect(text).toMatch(/\*\*1 to replace, \d+ unchanged\*\*/);
    expect(text).toContain(
      "| replace | `member-accounts-sandbox-alice` | `aws:organizations/account:Account` | email |",
    );
    expect(text).toContain("**Guard: STOPPED, 1 destructive change(s):**");
    expect(text).toContain("<details><summary>Every change</summary>");
  });

  it("refuses bad baselines with one line naming the file and what to give", async () => {
    const file = (name: string, content: string): string => {
      const target = path.join(work, name);
      writeFileSync(target, content);
      return target;
    };
    const otherStack = JSON.parse(readFileSync(planBaseline, "utf8"));
    for (const step of otherStack.steps) {
      step.urn = step.urn.replace("urn:pulumi:dev::", "urn:pulumi:prod::");
      step.newState.urn = step.urn;
    }
    const cases: [string, RegExp][] = [
      [file("not.json", "steps: []\n"), /: not JSON \(.*\); give a plan JSON/],
      [
        file("prod.json", JSON.stringify(otherStack)),
        /: is of stack prod of project aws-org-guardrails, not dev/,
      ],
      [file("other.json", JSON.stringify({ resources: [] })), /: an unknown format/],
      [
        file("v9.json", JSON.stringify({ version: 9, deployment: { resources: [] } })),
        /: a stack export of version 9, expected 1 to 4/,
      ],
      [path.join(work, "missing.json"), /: no such file; give a plan JSON/],
    ];
    const results = await Promise.all(
      cases.map(([baseline]) => planAgainst(FIXTURE_STACKS, baseline)),
    );
    results.forEach((result, index) => {
      const [baseline, message] = cases[index];
      expect(result.status, baseline).toBe(2);
      const lines = result.stderr.trim().split("\n");
      expect(lines, baseline).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^plan: --baseline ${baseline.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`),
      );
      expect(lines[0]).toMatch(message);
      expect(result.json).toBeUndefined();
    });
  });

  it("--allow-destructive and --markdown need --baseline", async () => {
    const result = await runCommandAsync("plan", [
      "--stack",
      "dev",
      "--stacks",
      FIXTURE_STACKS,
      "--allow-destructive",
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--allow-destructive needs --baseline <file>");
  });
});

describe("diffPlan", () => {
  const resource = (over: Partial<RecordedResource>): RecordedResource => ({
    urn: "urn:pulumi:dev::aws-org-guardrails::aws:sns/topic:Topic::alerts",
    type: "aws:sns/topic:Topic",
    name: "alerts",
    custom: true,
    parent: "",
    provider: "urn:pulumi:dev::aws-org-guardrails::pulumi:providers:aws::management::1",
    protect: false,
    retainOnDelete: false,
    deleteBeforeReplace: false,
    ignoreChanges: [],
    dependencies: [],
    importId: "",
    aliases: [],
    inputs: {},
    ...over,
  });
  const stateOf = (resources: Record<string, unknown>[]): string => {
    const file = path.join(work, `state-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ version: 3, deployment: { manifest: {}, resources } }));
    return file;
  };

  it("never prints or compares a secret's value, and keeps inputs the provider defaulted", () => {
    const file = stateOf([
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::aws:sns/topic:Topic::alerts",
        custom: true,
        id: "arn:aws:sns:eu-west-1:314159265358:alerts",
        type: "aws:sns/topic:Topic",
        inputs: {
          __defaults: ["name"],
          name: "alerts-3f2a1b0",
          deliveryPolicy: {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            plaintext: '"hunter2"',
          },
        },
        provider: "urn:pulumi:dev::aws-org-guardrails::pulumi:providers:aws::management::1",
      },
    ]);
    const baseline = readBaseline(file, { stack: "dev", project: "aws-org-guardrails" });
    expect(JSON.stringify(baseline)).not.toContain("hunter2");
    const [same] = diffPlan(baseline, [resource({ inputs: { deliveryPolicy: "[secret]" } })]);
    expect(same.op).toBe("same");
    const [changedSecret] = diffPlan(baseline, [resource({ inputs: { deliveryPolicy: "plain" } })]);
    expect(changedSecret.changes).toEqual([
      { path: "deliveryPolicy", kind: "update", old: "[secret]", new: "plain" },
    ]);
  });

  it("a replaced resource makes what depends on it change, and a type the table lacks is assumed to replace", () => {
    const policyUrn = "urn:pulumi:dev::aws-org-guardrails::aws:organizations/policy:Policy::p";
    const file = stateOf([
      {
        urn: policyUrn,
        custom: true,
        id: "p-1",
        type: "aws:organizations/policy:Policy",
        inputs: { type: "SERVICE_CONTROL_POLICY", content: "{}" },
      },
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::aws:organizations/policyAttachment:PolicyAttachment::a",
        custom: true,
        id: "r-1:p-1",
        type: "aws:organizations/policyAttachment:PolicyAttachment",
        inputs: { policyId: "p-1", targetId: "r-1" },
        dependencies: [policyUrn],
      },
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::example:index:Thing::t",
        custom: true,
        id: "t",
        type: "example:index:Thing",
        inputs: { size: 1 },
      },
    ]);
    const baseline = readBaseline(file, { stack: "dev", project: "aws-org-guardrails" });
    const diffs = diffPlan(baseline, [
      resource({
        urn: policyUrn,
        type: "aws:organizations/policy:Policy",
        name: "p",
        inputs: { type: "TAG_POLICY", content: "{}" },
      }),
      resource({
        urn: "urn:pulumi:dev::aws-org-guardrails::aws:organizations/policyAttachment:PolicyAttachment::a",
        type: "aws:organizations/policyAttachment:PolicyAttachment",
        name: "a",
        dependencies: [policyUrn],
        inputs: { policyId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", targetId: "r-1" },
      }),
      resource({
        urn: "urn:pulumi:dev::aws-org-guardrails::example:index:Thing::t",
        type: "example:index:Thing",
        name: "t",
        inputs: { size: 2 },
      }),
    ]);
    expect(diffs.map((diff) => [diff.name, diff.op, diff.replaceReasons])).toEqual([
      ["p", "replace", ["type"]],
      ["a", "replace", ["policyId"]],
      ["t", "replace", ["size"]],
    ]);
    expect(diffs.map((diff) => diff.unverified ?? false)).toEqual([false, false, true]);
    // Unchanged dependency: the unknown id is the one in the state.
    const kept = diffPlan(baseline, [
      resource({
        urn: policyUrn,
        type: "aws:organizations/policy:Policy",
        name: "p",
        inputs: { type: "SERVICE_CONTROL_POLICY", content: "{ }" },
      }),
      resource({
        urn: "urn:pulumi:dev::aws-org-guardrails::aws:organizations/policyAttachment:PolicyAttachment::a",
        type: "aws:organizations/policyAttachment:PolicyAttachment",
        name: "a",
        dependencies: [policyUrn],
        inputs: { policyId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", targetId: "r-1" },
      }),
    ]);
    expect(kept.map((diff) => diff.op)).toEqual(["same", "same", "delete"]);
  });

  it("reads what real exports hold besides managed resources: the root stack, default providers, pending deletes, pending operations, older versions", () => {
    const resources = [
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::pulumi:pulumi:Stack::aws-org-guardrails-dev",
        custom: false,
        type: "pulumi:pulumi:Stack",
        outputs: { rootAccessPolicyId: "p-1" },
      },
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::pulumi:providers:aws::default_7_0_0",
        custom: true,
        id: "2c5a6f0e-6f1d-4c1e-9d6e-0b8f1c1d2e3f",
        type: "pulumi:providers:aws",
        inputs: { region: "eu-west-1" },
      },
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::pulumi:providers:aws::management",
        custom: true,
        id: "9b1d7a52-1c53-4e0a-8f2e-5d7c6b4a3e21",
        type: "pulumi:providers:aws",
        // The engine records the plugin version beside the config.
        inputs: { region: "eu-west-1", version: "7.48.0" },
      },
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::aws:sns/topic:Topic::alerts",
        custom: true,
        delete: true,
        id: "old",
        type: "aws:sns/topic:Topic",
      },
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::aws:sns/topic:Topic::alerts",
        custom: true,
        id: "arn:aws:sns:eu-west-1:314159265358:alerts",
        type: "aws:sns/topic:Topic",
        inputs: { __defaults: [], name: "alerts" },
      },
    ];
    for (const version of [1, 2, 3, 4]) {
      const file = path.join(work, `export-v${version}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          version,
          deployment: {
            manifest: { time: "2026-11-30T09:12:44Z", magic: "", version: "" },
            resources,
            pending_operations: [{ resource: resources[4], type: "updating" }],
          },
        }),
      );
      const baseline = readBaseline(file, { stack: "dev", project: "aws-org-guardrails" });
      expect(baseline.kind).toBe("state");
      expect(
        baseline.resources.map((resource) => [resource.name, resource.id, resource.pendingDelete]),
      ).toEqual([
        ["management", "9b1d7a52-1c53-4e0a-8f2e-5d7c6b4a3e21", undefined],
        ["alerts", "old", true],
        ["alerts", "arn:aws:sns:eu-west-1:314159265358:alerts", undefined],
      ]);
      expect(baseline.resources.map((resource) => resource.inputs)).toEqual([
        { region: "eu-west-1" },
        {},
        { name: "alerts" },
      ]);
      expect(baseline.notes).toEqual([
        expect.stringMatching(
          /^The state has 1 pending operation\(s\) from an interrupted update \(updating alerts\)/,
        ),
      ]);
    }
  });

  it("no statement hides behind another's Sid, nested provider defaults are no change, pending deletes are deletes", () => {
    const policy = (statements: unknown[]) =>
      JSON.stringify({ Version: "2012-10-17", Statement: statements });
    const b = {
      Sid: "B",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::314159265358:root" },
      Action: "s3:GetObject",
      Resource: "*",
    };
    const topicUrn = "urn:pulumi:dev::aws-org-guardrails::aws:sns/topic:Topic::alerts";
    const file = stateOf([
      {
        urn: topicUrn,
        custom: true,
        id: "old-alerts",
        type: "aws:sns/topic:Topic",
        delete: true,
        protect: true,
        inputs: {},
      },
      {
        urn: topicUrn,
        custom: true,
        id: "alerts",
        type: "aws:sns/topic:Topic",
        inputs: {
          policy: policy([b]),
          deliveryPolicy: { __defaults: ["retries"], retries: 3, http: { __defaults: [] } },
        },
      },
    ]);
    const baseline = readBaseline(file, { stack: "dev", project: "aws-org-guardrails" });
    const diffs = diffPlan(baseline, [
      resource({
        inputs: {
          policy: policy([
            b,
            { Sid: "B", Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" },
          ]),
          deliveryPolicy: { http: {} },
        },
      }),
    ]);
    expect(
      diffs.map((diff) => [diff.op, diff.pendingDelete ?? false, diff.refused ?? "-"]),
    ).toEqual([
      ["update", false, "-"],
      // Pulumi deletes it on the next up; its protect flag belongs to the replaced resource.
      ["delete", true, "-"],
    ]);
    expect(diffs[0].changes.map((change) => change.path)).toEqual(["policy"]);
    expect(diffs[0].statements.policy).toEqual([
      expect.objectContaining({ change: "+", statement: '"B" (occurrence 2)' }),
    ]);
  });

  it("compares documents only where the provider does, and as it does", () => {
    const doc = (actions: unknown, statements: unknown[] = []) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "A", Effect: "Allow", Action: actions, Resource: "*" }, ...statements],
      });
    const extra = { Sid: "B", Effect: "Deny", Action: "sns:DeleteTopic", Resource: "*" };
    const topicPolicy = "urn:pulumi:dev::aws-org-guardrails::aws:sns/topicPolicy:TopicPolicy::tp";
    const scp = "urn:pulumi:dev::aws-org-guardrails::aws:organizations/policy:Policy::scp";
    const fn = "urn:pulumi:dev::aws-org-guardrails::aws:lambda/function:Function::fn";
    const file = stateOf([
      {
        urn: topicPolicy,
        custom: true,
        id: "tp",
        type: "aws:sns/topicPolicy:TopicPolicy",
        inputs: { arn: "t", policy: doc(["sns:Publish", "sns:Subscribe"], [extra]) },
      },
      {
        urn: scp,
        custom: true,
        id: "p-1",
        type: "aws:organizations/policy:Policy",
        inputs: { type: "SERVICE_CONTROL_POLICY", content: doc(["iam:A", "iam:B"]) },
      },
      {
        urn: fn,
        custom: true,
        id: "fn",
        type: "aws:lambda/function:Function",
        inputs: { environment: { variables: { ORDER: '{"order":["primary","secondary"]}' } } },
      },
    ]);
    const baseline = readBaseline(file, { stack: "dev", project: "aws-org-guardrails" });
    const opsOf = (policy: string, content: string, order: string) =>
      diffPlan(baseline, [
        resource({
          urn: topicPolicy,
          type: "aws:sns/topicPolicy:TopicPolicy",
          name: "tp",
          inputs: { arn: "t", policy },
        }),
        resource({
          urn: scp,
          type: "aws:organizations/policy:Policy",
          name: "scp",
          inputs: { type: "SERVICE_CONTROL_POLICY", content },
        }),
        resource({
          urn: fn,
          type: "aws:lambda/function:Function",
          name: "fn",
          inputs: { environment: { variables: { ORDER: order } } },
        }),
      ]).map((diff) => diff.op);
    // IAM equivalence (topic policy): reordered lists, statements in another order, one item
    // for a list of it: no change. A new action is.
    expect(
      opsOf(
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            extra,
            {
              Sid: "A",
              Effect: "Allow",
              Action: ["sns:Subscribe", "sns:Publish"],
              Resource: ["*"],
            },
          ],
        }),
        doc(["iam:A", "iam:B"]),
        '{"order":["primary","secondary"]}',
      ),
    ).toEqual(["same", "same", "same"]);
    expect(
      opsOf(
        doc(["sns:Publish", "sns:*"], [extra]),
        doc(["iam:A", "iam:B"]),
        '{"order":["primary","secondary"]}',
      )[0],
    ).toBe("update");
    // An SCP is compared as JSON only (whitespace, key order): reordered actions are an update,
    // as Pulumi would plan; layout alone is not.
    expect(
      opsOf(
        doc(["sns:Publish", "sns:Subscribe"], [extra]),
        doc(["iam:B", "iam:A"]),
        '{"order":["primary","secondary"]}',
      )[1],
    ).toBe("update");
    expect(
      opsOf(
        doc(["sns:Publish", "sns:Subscribe"], [extra]),
        JSON.stringify(JSON.parse(doc(["iam:A", "iam:B"])), null, 2),
        '{"order":["primary","secondary"]}',
      )[1],
    ).toBe("same");
    // Any other string is text: an ordered list in JSON changes, so does its layout.
    expect(
      opsOf(
        doc(["sns:Publish", "sns:Subscribe"], [extra]),
        doc(["iam:A", "iam:B"]),
        '{"order":["secondary","primary"]}',
      )[2],
    ).toBe("update");
    expect(
      opsOf(
        doc(["sns:Publish", "sns:Subscribe"], [extra]),
        doc(["iam:A", "iam:B"]),
        '{ "order": ["primary","secondary"] }',
      )[2],
    ).toBe("update");
  });

  it("follows aliases: a renamed SCP definition that lists its old names is the same resources, not a delete and a create", async () => {
    const [definition] = SCP_DEFINITIONS;
    const planned = plannedRootAccessScp();
    // Previews, as plans are: ids are unknown, as they would be known from the state alike.
    const before = await evaluateComponent(
      (provider) => {
        new ServiceControlPolicy(planned, { provider });
      },
      { preview: true },
    );
    const baseline: Baseline = {
      kind: "plan",
      file: "before.json",
      stack: "test",
      project: "aws-org-guardrails",
      resources: before.resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .map((r) => ({ ...r, defaults: [] })),
      notes: [],
    };
    const renamed = (previously: boolean): PlannedScp => ({
      ...planned,
      resourceName: "member-root",
      definition: {
        ...definition,
        componentType: "aws-org-guardrails:scp:MemberRoot",
        resourceName: "member-root",
        ...(previously
          ? {
              previously: [
                { componentType: definition.componentType, resourceName: "root-access" },
              ],
            }
          : {}),
      },
    });
    const opsOf = async (previously: boolean) => {
      const after = await evaluateComponent(
        (provider) => {
          new ServiceControlPolicy(renamed(previously), { provider });
        },
        { preview: true },
      );
      return diffPlan(baseline, after.resources)
        .filter((diff) => !diff.type.startsWith("pulumi:"))
        .map((diff) => `${diff.op} ${diff.name}`)
        .sort();
    };
    expect(await opsOf(true)).toEqual([
      "same member-root",
      "same member-root-policy",
      "same member-root-r-4f8a",
    ]);
    expect(await opsOf(false)).toEqual([
      "create member-root",
      "create member-root-policy",
      "create member-root-r-4f8a",
      "delete root-access",
      "delete root-access-policy",
      "delete root-access-r-4f8a",
    ]);
  });

  it("a provider is replaced only when its region changes; pointed at another account it is updated, and the guard says so", () => {
    const providerUrn = "urn:pulumi:dev::aws-org-guardrails::pulumi:providers:aws::log-archive";
    const file = stateOf([
      {
        urn: providerUrn,
        custom: true,
        id: "9b1d7a52-1c53-4e0a-8f2e-5d7c6b4a3e21",
        type: "pulumi:providers:aws",
        inputs: { region: "eu-west-1", allowedAccountIds: '["271828182845"]', defaultTags: "{}" },
      },
    ]);
    const baseline = readBaseline(file, { stack: "dev", project: "aws-org-guardrails" });
    const provider = (inputs: Record<string, unknown>) =>
      resource({
        urn: providerUrn,
        type: "pulumi:providers:aws",
        name: "log-archive",
        provider: "",
        inputs,
      });
    const tags = diffPlan(baseline, [
      provider({
        region: "eu-west-1",
        allowedAccountIds: '["271828182845"]',
        defaultTags: '{"tags":{"a":"b"}}',
      }),
    ]);
    expect(tags.map((diff) => diff.op)).toEqual(["update"]);
    expect(judgeDiff(tags, { centralLogGroupName: "/x", baseline }).destructive).toEqual([]);
    const account = diffPlan(baseline, [
      provider({ region: "eu-west-1", allowedAccountIds: '["161803398874"]', defaultTags: "{}" }),
    ]);
    expect(account.map((diff) => diff.op)).toEqual(["update"]);
    expect(judgeDiff(account, { centralLogGroupName: "/x", baseline }).destructive).toEqual([
      expect.objectContaining({
        line: expect.stringMatching(
          /^provider log-archive: its allowedAccountIds change, so it now reaches another account/,
        ),
      }),
    ]);
    const region = diffPlan(baseline, [
      provider({
        region: "eu-central-1",
        allowedAccountIds: '["271828182845"]',
        defaultTags: "{}",
      }),
    ]);
    expect(region.map((diff) => [diff.op, diff.replaceReasons])).toEqual([["replace", ["region"]]]);
  });

  it("names paths as Pulumi does", () => {
    expect(topLevel("tags.owner")).toBe("tags");
    expect(topLevel("statement[0].sid")).toBe("statement");
    expect(topLevel('["foo-bar"].x')).toBe("foo-bar");
    const file = stateOf([
      {
        urn: "urn:pulumi:dev::aws-org-guardrails::aws:sns/topic:Topic::alerts",
        custom: true,
        id: "x",
        type: "aws:sns/topic:Topic",
        inputs: { tags: { "cost-center": "1" }, list: [1, 2] },
      },
    ]);
    const baseline = readBaseline(file, { stack: "dev", project: "aws-org-guardrails" });
    const [diff] = diffPlan(baseline, [
      resource({ inputs: { tags: { "cost-center": "2" }, list: [1] } }),
    ]);
    expect(diff.changes.map((change) => `${change.kind} ${change.path}`)).toEqual([
      "delete list[1]",
      'update tags["cost-center"]',
    ]);
  });
});
