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
