import { realpathSync } from "node:fs";
import * as path from "node:path";
import { BenchOptions } from "../bench/harness";
import { InputError } from "../lib/errors";
import { defineCommand, runWhenMain } from "./command";

/** Every benchmark, by name; each rewrites its own section of the benchmarks document. */
const BENCHMARKS: Record<string, (options: BenchOptions) => Promise<string>> = {
  replay: async (options) => (await import("../bench/replayBench")).runReplayBenchmark(options),
  discover: async (options) =>
    (await import("../bench/discoverBench")).runDiscoverBenchmark(options),
  scale: async (options) => (await import("../bench/scaleBench")).runScaleBenchmark(options),
  notifier: async (options) =>
    (await import("../bench/notifierBench")).runNotifierBenchmark(options),
  sql: async (options) => (await import("../bench/sqlTwinBench")).runSqlTwinBenchmark(options),
  "root-credentials": async (options) =>
    (await import("../bench/rootCredentialsBench")).runRootCredentialsBenchmark(options),
};

export const benchCommand = defineCommand(
  {
    name: "bench",
    summary: `run the benchmarks (${Object.keys(BENCHMARKS).join(", ")}; all when none is named) and write their figures to docs/benchmarks.md`,
    options: {
      quick: {
        type: "boolean",
        description:
          "small data, one run: a smoke test that the benchmarks work (needs --out; never docs/benchmarks.md)",
      },
      out: {
        type: "string",
        value: "<file>",
        output: true,
        description: "write the sections to this file instead of docs/benchmarks.md",
      },
    },
    positionals: { name: "benchmark", min: 0 },
  },
  async ({ values, positionals }, io) => {
    const unknown = positionals.filter((name) => !(name in BENCHMARKS));
    if (unknown.length > 0) {
      throw new InputError(
        `unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(BENCHMARKS).join(", ")} (or none for all)`,
      );
    }
    if (values.quick && values.out === undefined) {
      throw new InputError(
        "--quick needs --out <file>: quick figures must never overwrite docs/benchmarks.md",
      );
    }
    const { BENCHMARKS_DOC, writeSection } = await import("../bench/harness");
    if (
      values.quick &&
      values.out !== undefined &&
      sameFile(path.resolve(values.out), BENCHMARKS_DOC)
    ) {
      throw new InputError(
        `--out ${values.out}: --quick figures must never overwrite docs/benchmarks.md; write them elsewhere`,
      );
    }
    const options: BenchOptions = {
      quick: values.quick,
      doc: values.out === undefined ? BENCHMARKS_DOC : path.resolve(values.out),
    };
    for (const name of positionals.length > 0 ? positionals : Object.keys(BENCHMARKS)) {
      io.stdout(`bench: ${name} ...\n`);
      const markdown = await BENCHMARKS[name](options);
      writeSection(options.doc, name, markdown);
      io.stdout(`${markdown}\n\n`);
    }
    io.stdout(`bench: wrote ${path.relative(process.cwd(), options.doc)}\n`);
  },
);

runWhenMain(module, benchCommand);

function sameFile(a: string, b: string): boolean {
  const real = (file: string): string => {
    try {
      return realpathSync(file);
    } catch {
      return file;
    }
  };
  return real(a) === real(b);
}
