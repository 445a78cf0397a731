import * as path from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "../lib/errors";
import { runCli } from "./run";

/** Every benchmark, by name; each rewrites its own section of docs/benchmarks.md. */
const BENCHMARKS: Record<string, () => Promise<string>> = {
  replay: async () => (await import("../bench/replayBench")).runReplayBenchmark(),
  discover: async () => (await import("../bench/discoverBench")).runDiscoverBenchmark(),
  scale: async () => (await import("../bench/scaleBench")).runScaleBenchmark(),
  notifier: async () => (await import("../bench/notifierBench")).runNotifierBenchmark(),
};

const USAGE = `usage: npm run bench -- [--quick --out <file>] [${Object.keys(BENCHMARKS).join("|")}]...`;

runCli("bench", async () => {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2).filter((arg) => arg !== "--"),
      options: { quick: { type: "boolean" }, out: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message.split("\n").join(" ")}; ${USAGE}`);
  }
  const wanted = parsed.positionals;
  const unknown = wanted.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    throw new InputError(
      `unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(BENCHMARKS).join(", ")} (or none for all)`,
    );
  }
  if (parsed.values.quick && parsed.values.out === undefined) {
    throw new InputError(
      `--quick needs --out <file>: quick figures must never overwrite docs/benchmarks.md; ${USAGE}`,
    );
  }
  // Read by bench/harness.ts when the benchmarks load.
  if (parsed.values.quick) {
    process.env.AWS_ORG_GUARDRAILS_BENCH_QUICK = "1";
  }
  if (parsed.values.out !== undefined) {
    process.env.AWS_ORG_GUARDRAILS_BENCH_DOC = path.resolve(parsed.values.out);
  }
  const { BENCHMARKS_DOC, writeSection } = await import("../bench/harness");
  for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
    process.stdout.write(`bench: ${name} ...\n`);
    const markdown = await BENCHMARKS[name]();
    writeSection(name, markdown);
    process.stdout.write(`${markdown}\n\n`);
  }
  process.stdout.write(`bench: wrote ${path.relative(process.cwd(), BENCHMARKS_DOC)}\n`);
});
