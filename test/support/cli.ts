import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_DIR } from "../../offline/stackFile";

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one of the project's commands (cli/<name>.ts) as `npm run <name>` would, in a child process. */
export function runCommand(
  name: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {},
): CliResult {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(PROJECT_DIR, "cli", `${name}.ts`), ...args],
    {
      cwd: options.cwd ?? PROJECT_DIR,
      env: { ...process.env, ...options.env },
      encoding: "utf8",
      timeout: 60_000,
      uid: options.uid,
      gid: options.gid,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same as runCommand, without blocking: for tests that run many commands concurrently. */
export function runCommandAsync(
  name: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(PROJECT_DIR, "cli", `${name}.ts`), ...args],
      {
        cwd: PROJECT_DIR,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...options.env },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A failure the way users must see it: one summary line per problem, no stack trace. */
export function expectCleanFailure(result: CliResult): void {
  if (result.status === 0) {
    throw new Error(`expected a failure, got exit 0:\n${result.stdout}`);
  }
  if (/\n\s+at .+:\d+:\d+/.test(result.stderr)) {
    throw new Error(`stack trace printed:\n${result.stderr}`);
  }
}
