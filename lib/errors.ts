/**
 * An input the user can fix (stack config, snapshot file, command-line argument, log file): it
 * carries one line per problem, each naming the input and what to do. Commands print these lines
 * without a stack trace and exit non-zero; the Pulumi program turns them into a `RunError`, which
 * the Pulumi CLI also prints without a stack trace.
 */
export class InputError extends Error {
  readonly problems: readonly string[];

  constructor(summary: string, problems: readonly string[] = []) {
    super(
      problems.length === 0 ? summary : `${summary}\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "InputError";
    this.problems = problems;
  }
}

/** Renders a zod issue path the way a user writes the key: `rootAccess.breakGlass[0].reason`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === "number") {
      return `${text}[${part}]`;
    }
    return text ? `${text}.${String(part)}` : String(part);
  }, "");
}
