import { PolicyDocument, PolicyStatement } from "./document";

export interface BreakGlassWindow {
  readonly accountId: string;
  /** ISO-8601 UTC; the window closes when `aws:CurrentTime` passes it. */
  readonly expiresAt: string;
}

export interface RootAccessScpInput {
  /** The organization's ARN partition: `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  readonly breakGlass: readonly BreakGlassWindow[];
}

/**
 * The SCP that denies every action by the root user of member accounts.
 *
 * Shape from AWS's own example ("deny root user access in member accounts, except AssumeRoot"),
 * used the same way by Control Tower and Landing Zone Accelerator:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-assumedroot
 * - `ArnLike aws:PrincipalArn arn:<partition>:iam::*:root` matches only root users.
 * - `Null aws:AssumedRoot true`: the key is present only in sessions from `sts:AssumeRoot`, the
 *   audited centralized-root-access path; without this test the SCP would block that path too.
 *
 * Break-glass accounts are left out of the main statement, and each gets its own statement that
 * denies its root again once `aws:CurrentTime` is past its `expiresAt`: AWS closes the window by
 * itself, even if nobody runs `pulumi up`. Deny statements are evaluated independently, so the
 * two together deny exactly "root of any member, unless in an open break-glass window".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-currenttime
 *
 * The output is deterministic (entries sorted by account) so that `pulumi preview` shows a change
 * only when the policy really changes.
 */
export function buildRootAccessScp(input: RootAccessScpInput): PolicyDocument {
  const { partition } = input;
  const windows = [...input.breakGlass].sort((a, b) => a.accountId.localeCompare(b.accountId));
  const notAssumedRoot = { Null: { "aws:AssumedRoot": "true" } };
  const denyMemberRoot: PolicyStatement = {
    Sid: "DenyMemberRootUser",
    Effect: "Deny",
    Action: "*",
    Resource: "*",
    Condition: {
      ArnLike: { "aws:PrincipalArn": `arn:${partition}:iam::*:root` },
      ...notAssumedRoot,
      ...(windows.length > 0
        ? { StringNotEquals: { "aws:PrincipalAccount": windows.map((w) => w.accountId) } }
        : {}),
    },
  };
  const closeWindows = windows.map((window): PolicyStatement => ({
    Sid: `BreakGlassEnds${window.accountId}`,
    Effect: "Deny",
    Action: "*",
    Resource: "*",
    Condition: {
      ArnLike: { "aws:PrincipalArn": `arn:${partition}:iam::${window.accountId}:root` },
      ...notAssumedRoot,
      DateGreaterThan: { "aws:CurrentTime": window.expiresAt },
    },
  }));
  return { Version: "2012-10-17", Statement: [denyMemberRoot, ...closeWindows] };
}
