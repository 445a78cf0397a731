import { writeSection } from "../bench/harness";
import { runReplayBenchmark } from "../bench/replayBench";
import { runScaleBenchmark } from "../bench/scaleBench";
import { InputError } from "../lib/errors";
import { runCli } from "./run";

/** Every benchmark, by name; each rewrites its own section of docs/benchmarks.md. */
const BENCHMARKS: Record<string, () => string | Promise<string>> = {
  replay: runReplayBenchmark,
  scale: runScaleBenchmark,
};

runCli("bench", async () => {
  const wanted = process.argv.slice(2).filter((arg) => arg !== "--");
  const unknown = wanted.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    throw new InputError(
      `unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(BENCHMARKS).join(", ")} (or none for all)`,
    );
  }
  for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
    process.stdout.write(`bench: ${name} ...\n`);
    const markdown = await BENCHMARKS[name]();
    writeSection(name, markdown);
    process.stdout.write(`${markdown}\n\n`);
  }
  process.stdout.write("bench: wrote docs/benchmarks.md\n");
});
