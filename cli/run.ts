import { InputError } from "../lib/errors";

/**
 * Runs a command's main function: an `InputError` prints its lines on stderr without a stack
 * trace and exits 2; any other error is a bug and prints its first line with a hint, exit 70...
 * unless main returns an exit code itself.
 */
export function runCli(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      if (error instanceof InputError) {
        // A single problem fits on one line with its summary; several are listed below it.
        const text =
          error.problems.length === 1
            ? `${error.message.split("\n")[0].replace(/:$/, "")}: ${error.problems[0]}`
            : error.message;
        process.stderr.write(`${name}: ${text}\n`);
        process.exitCode = 2;
        return;
      }
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      process.stderr.write(
        `${name}: unexpected failure: ${message} (set DEBUG=1 for a stack trace)\n`,
      );
      if (process.env.DEBUG) {
        process.stderr.write(`${(error as Error)?.stack ?? ""}\n`);
      }
      process.exitCode = 70;
    },
  );
}
