import { InputError } from "../lib/errors";
import { compactJson, PolicyDocument } from "./document";

export interface RenderedScp {
  readonly document: PolicyDocument;
  /** The compact JSON sent to AWS. */
  readonly content: string;
  /** Characters AWS counts against the SCP size quota. */
  readonly size: number;
}

/**
 * Renders an SCP and checks it against the configured size budget. A policy that does not fit
 * is a config error before anything is registered, not a failed `pulumi up` half-way through.
 */
export function renderScp(
  name: string,
  document: PolicyDocument,
  maxCharacters: number,
  hint: string,
): RenderedScp {
  const content = compactJson(document);
  if (content.length > maxCharacters) {
    throw new InputError(
      `The ${name} SCP is ${content.length} characters, over the budget of ${maxCharacters} ` +
        `(aws-org-guardrails:scpLimits.maxPolicyCharacters). ${hint}`,
    );
  }
  return { document, content, size: content.length };
}

/**
 * Renders a document that may be split: its statements are independent Denies, and every SCP
 * attached to a target must allow a request, so statements spread over several SCPs at the same
 * targets deny exactly what they deny together. Packs them, in order, into as few documents as
 * fit the budget; a single statement over the budget is a config error.
 */
export function renderSplittableScp(
  name: string,
  document: PolicyDocument,
  maxCharacters: number,
  hint: string,
): RenderedScp[] {
  const whole = compactJson(document);
  if (whole.length <= maxCharacters) {
    return [{ document, content: whole, size: whole.length }];
  }
  const parts: PolicyDocument["Statement"][] = [[]];
  for (const statement of document.Statement) {
    const current = parts[parts.length - 1];
    const candidate = { Version: document.Version, Statement: [...current, statement] };
    if (current.length > 0 && compactJson(candidate).length > maxCharacters) {
      parts.push([statement]);
    } else {
      parts[parts.length - 1] = candidate.Statement;
    }
  }
  return parts.map((statements) =>
    renderScp(name, { Version: document.Version, Statement: statements }, maxCharacters, hint),
  );
}
