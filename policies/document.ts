/**
 * IAM policy documents as plain data, shared by every policy builder (SCPs, bucket, key and topic
 * policies). Pure: no Pulumi or AWS imports.
 */

export type ConditionBlock = Record<string, Record<string, string | readonly string[]>>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Record<string, string | readonly string[]>;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/**
 * The text sent to AWS. Organizations counts every character of an SCP, whitespace included,
 * against its size quota, so SCPs are always sent compact.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */
export function compactJson(document: PolicyDocument): string {
  return JSON.stringify(document);
}
