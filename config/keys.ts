import { isAccountId } from "./rules";

/**
 * Config keys as a person finds them in the stack file. A list entry is named by what it is,
 * not by its position: `accounts[payments-dr].email`, `rootAccess.breakGlass[223606797749].reason`,
 * `alerts.emails[oncall@example.com]`. An entry is named by its `name`, else its `accountId`,
 * else its `endpoint`, and a plain string entry by itself. Where that would not single it out
 * (no such field, a name two entries share, a name that reads like a position), the position
 * stays: `accounts[3]`.
 */

const LABEL_FIELDS = ["name", "accountId", "endpoint"] as const;
const MAX_LABEL = 80;

function labelOf(entry: unknown): string | undefined {
  if (typeof entry === "string") {
    return entry;
  }
  if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
    const record = entry as Record<string, unknown>;
    for (const field of LABEL_FIELDS) {
      if (typeof record[field] === "string") {
        return record[field];
      }
    }
  }
  return undefined;
}

function usableLabel(label: string): boolean {
  return (
    label.trim() !== "" &&
    label.length <= MAX_LABEL &&
    !/[[\]\n\r\t]/.test(label) &&
    // Digits alone would read as a position, except an account id.
    (!/^\d+$/.test(label) || isAccountId(label))
  );
}

/** How the entry at `index` of `list` is named in a key: its label, or its position. */
export function entryName(list: unknown, index: number): string {
  const entries = Array.isArray(list) ? list : [];
  const label = labelOf(entries[index]);
  if (label === undefined || !usableLabel(label)) {
    return String(index);
  }
  const sharing = entries.filter((entry) => labelOf(entry) === label).length;
  return sharing === 1 ? label : String(index);
}

function child(value: unknown, part: PropertyKey): unknown {
  if (Array.isArray(value) && typeof part === "number") {
    return value[part];
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<PropertyKey, unknown>)[part]
    : undefined;
}

/**
 * A path into the project config (`["accounts", 1, "email"]`), written as a key with each list
 * entry named from `root`, the raw config the path points into: `accounts[payments-dr].email`.
 */
export function formatKey(path: readonly PropertyKey[], root: unknown): string {
  let text = "";
  let value = root;
  for (const part of path) {
    if (typeof part === "number") {
      text += `[${entryName(value, part)}]`;
    } else {
      text = text === "" ? String(part) : `${text}.${String(part)}`;
    }
    value = child(value, part);
  }
  return text;
}
