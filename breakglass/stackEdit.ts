import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml";
import { PROJECT_NAMESPACE } from "../config/schema";
import { InputError } from "../lib/errors";

/**
 * Edits the break-glass list of a stack file in place: the YAML document is changed node by
 * node, so every comment, key order and blank line outside the list stays as the user wrote it.
 */

const ROOT_ACCESS_KEY = `${PROJECT_NAMESPACE}:rootAccess`;

export interface BreakGlassEntryText {
  readonly accountId: string;
  readonly reason: string;
  readonly expiresAt: string;
  /** When the window was opened; entries written before it existed have none. */
  readonly openedAt?: string;
}

export function parseStackDocument(text: string, file: string): Document {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new InputError(`${file}: not valid YAML (${document.errors[0].message.split("\n")[0]})`);
  }
  if (!isMap(document.contents)) {
    throw new InputError(`${file}: a stack file is a YAML map with a "config" key`);
  }
  return document;
}

function breakGlassList(document: Document, file: string): YAMLSeq | undefined {
  const list = document.getIn(["config", ROOT_ACCESS_KEY, "breakGlass"], true);
  if (list === undefined || list === null) {
    return undefined;
  }
  if (!isSeq(list)) {
    throw new InputError(`${file}: ${ROOT_ACCESS_KEY}.breakGlass must be a list`);
  }
  return list;
}

/** The entries as written (accountId and expiresAt as strings). */
export function readBreakGlass(document: Document, file: string): BreakGlassEntryText[] {
  const list = breakGlassList(document, file);
  if (list === undefined) {
    return [];
  }
  return list.items.map((item) => {
    const entry = isMap(item) ? (item.toJSON() as Record<string, unknown>) : {};
    return {
      accountId: String(entry.accountId ?? ""),
      reason: String(entry.reason ?? ""),
      expiresAt: String(entry.expiresAt ?? ""),
      ...(entry.openedAt === undefined ? {} : { openedAt: String(entry.openedAt) }),
    };
  });
}

/** Appends an entry, creating `rootAccess` and `breakGlass` if the stack file has neither. */
export function addBreakGlass(document: Document, file: string, entry: BreakGlassEntryText): void {
  if (!document.hasIn(["config"])) {
    throw new InputError(`${file}: has no "config" section`);
  }
  const node = document.createNode({ ...entry }) as YAMLMap;
  // Account ids and times are quoted, so YAML never reads them as numbers or dates.
  for (const pair of node.items) {
    const value = pair.value as { type?: string };
    if (pair.key !== null && String((pair.key as { value?: unknown }).value) !== "reason") {
      value.type = "QUOTE_DOUBLE";
    }
  }
  const list = breakGlassList(document, file);
  if (list === undefined || list.items.length === 0) {
    // A flow list (`breakGlass: []`) would keep flow style and put the entry on one long line.
    const fresh = document.createNode([]) as YAMLSeq;
    fresh.flow = false;
    fresh.items.push(node);
    document.setIn(["config", ROOT_ACCESS_KEY, "breakGlass"], fresh);
    return;
  }
  list.items.push(node);
}

/** Removes the entry of `accountId`; an emptied list is written back as `[]`. */
export function removeBreakGlass(document: Document, file: string, accountId: string): boolean {
  const list = breakGlassList(document, file);
  if (list === undefined) {
    return false;
  }
  const index = list.items.findIndex(
    (item) => isMap(item) && String(item.get("accountId")) === accountId,
  );
  if (index < 0) {
    return false;
  }
  // A comment written above the entry (who approved it, the ticket) goes with it. The yaml
  // library keeps the comment above the first entry on the list itself, above later ones on the
  // entry before which it sits.
  if (index === 0) {
    list.commentBefore = undefined;
    const next = list.items[1] as { commentBefore?: string | null } | undefined;
    if (next !== undefined && next.commentBefore) {
      // The next entry's own comment now sits above the first entry: keep it there.
      list.commentBefore = next.commentBefore;
      next.commentBefore = undefined;
    }
  }
  list.items.splice(index, 1);
  if (list.items.length === 0) {
    list.flow = true;
  }
  return true;
}
