import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { defineCommand, EXIT, helpOf } from "../cli/command";
import { planCommand } from "../cli/plan";
import { InputError } from "../lib/errors";
import { PROJECT_DIR } from "../offline/stackFile";
import { runCommandAsync } from "./support/cli";
import { FIXTURE_STACKS } from "./support/fixtures";

/** Every command of package.json's scripts that is a shell in cli/: a new one gets --help too. */
const COMMANDS = Object.entries(
  JSON.parse(readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts as Record<
    string,
    string
  >,
)
  .filter(([, script]) => script.startsWith("tsx cli/"))
  .map(([name]) => name);

function captured() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

describe("one command layer", () => {
  it("finds the commands", () => {
    expect(COMMANDS).toEqual(expect.arrayContaining(["plan", "replay", "bench", "breakglass"]));
  });

  it("every command answers --help with its usage, options and exit codes, exit 0, and changes nothing", async () => {
    const docs = path.join(PROJECT_DIR, "docs");
    const before = readdirSync(docs).map((file) => [file, statSync(path.join(docs, file)).mtimeMs]);
    const results = await Promise.all(COMMANDS.map((name) => runCommandAsync(name, ["--help"])));
    results.forEach((result, index) => {
      const name = COMMANDS[index];
      expect(result.status, name).toBe(0);
      expect(result.stderr, name).toBe("");
      expect(result.stdout, name).toMatch(new RegExp(`usage: npm run ${name}( -- \\S|$)`, "m"));
      expect(result.stdout, name).toContain("--help");
      expect(result.stdout, name).toMatch(
        /exit codes: 0 ok, .*2 bad input .*70 unexpected failure/,
      );
    });
    // npm run docs -- --help used to rewrite the docs.
    expect(
      readdirSync(docs).map((file) => [file, statSync(path.join(docs, file)).mtimeMs]),
    ).toEqual(before);
  });

  it("commands are importable: running one in-process needs no child process and never exits it", async () => {
    const io = captured();
    const code = await planCommand.run(["--stack", "no-such-stack"], io.io);
    expect(code).toBe(EXIT.badInput);
    expect(io.stderr()).toMatch(/^plan: .*no-such-stack/);
    expect(io.stderr().trim().split("\n")).toHaveLength(1);
  });

  it("distinct exit codes: 0 ok, 1 a verdict, 2 bad input, 70 unexpected failure", async () => {
    const spec = {
      name: "demo",
      summary: "a demonstration",
      options: { mode: { type: "string", value: "<mode>", required: true, description: "what" } },
      verdict: "the verdict is no",
    } as const;
    const demo = defineCommand(spec, async ({ values }) => {
      if (values.mode === "bad") {
        throw new InputError("--mode: bad is not a mode");
      }
      if (values.mode === "bug") {
        throw new TypeError("cannot read x of undefined");
      }
      return values.mode === "no" ? EXIT.verdict : EXIT.ok;
    });
    const runs = await Promise.all(
      [
        ["--mode", "yes"],
        ["--mode", "no"],
        ["--mode", "bad"],
        [],
        ["--nope"],
        ["--mode", "bug"],
      ].map(async (argv) => {
        const io = captured();
        return { code: await demo.run(argv, io.io), stderr: io.stderr() };
      }),
    );
    expect(runs.map((run) => run.code)).toEqual([0, 1, 2, 2, 2, 70]);
    expect(runs[3].stderr).toBe("demo: --mode is required; usage: npm run demo -- --mode <mode>\n");
    expect(runs[4].stderr).toMatch(
      /^demo: Unknown option '--nope'.*; npm run demo -- --help shows the usage\n$/,
    );
    expect(runs[5].stderr).toBe(
      "demo: unexpected failure: cannot read x of undefined (set DEBUG=1 for a stack trace)\n",
    );
    expect(helpOf(demo.spec)).toContain("exit codes: 0 ok, 1 the verdict is no, 2 bad input");
  });

  it("checks every output path before any work, the same way", async () => {
    const io = captured();
    const code = await planCommand.run(
      ["--stack", "dev", "--stacks", FIXTURE_STACKS, "--json", path.join(PROJECT_DIR, "docs")],
      io.io,
    );
    expect(code).toBe(EXIT.badInput);
    expect(io.stderr()).toContain("--json: ");
    expect(io.stderr()).toContain("is a folder; name a file");
  });

  it("never lets an output replace or land inside what the command reads", async () => {
    const stackFile = path.join(FIXTURE_STACKS, "Pulumi.dev.yaml");
    const snapshot = path.join(FIXTURE_STACKS, "org.dev.json");
    const cases: [string[], RegExp][] = [
      [["--json", stackFile], /--json: .*is also an input of this command/],
      [["--json", snapshot], /--json: .*is also an input of this command/],
      [["--json", ""], /--json: name a file to write/],
      [["--json", " "], /--json: name a file to write/],
    ];
    for (const [extra, message] of cases) {
      const before = readFileSync(stackFile, "utf8");
      const io = captured();
      const code = await planCommand.run(
        ["--stack", "dev", "--stacks", FIXTURE_STACKS, ...extra],
        io.io,
      );
      expect(code, extra.join(" ")).toBe(EXIT.badInput);
      expect(io.stderr(), extra.join(" ")).toMatch(message);
      expect(readFileSync(stackFile, "utf8")).toBe(before);
    }
    const replayed = await runCommandAsync("replay", [
      "--json",
      path.join(FIXTURE_STACKS, "x.json"),
      FIXTURE_STACKS,
    ]);
    expect(replayed.status).toBe(EXIT.badInput);
    expect(replayed.stderr).toMatch(/inside the input folder/);
  });

  it("bench --quick never writes docs/benchmarks.md, however it is named", async () => {
    const doc = path.join(PROJECT_DIR, "docs", "benchmarks.md");
    const before = readFileSync(doc, "utf8");
    for (const out of [doc, "docs/benchmarks.md", "docs/../docs/benchmarks.md"]) {
      const result = await runCommandAsync("bench", ["--quick", "--out", out, "scale"]);
      expect(result.status, out).toBe(EXIT.badInput);
      expect(result.stderr, out).toMatch(
        /--quick figures must never overwrite docs\/benchmarks.md/,
      );
    }
    expect(readFileSync(doc, "utf8")).toBe(before);
  });

  it("-h is --help", async () => {
    const io = captured();
    expect(await planCommand.run(["-h"], io.io)).toBe(EXIT.ok);
    expect(io.stdout()).toContain("usage: npm run plan -- --stack <env>");
  });
});
