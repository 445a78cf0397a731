/**
 * The root-access SCP, evaluated by an IAM policy simulator (@cloud-copilot/iam-simulate) inside a
 * modelled organization: FullAWSAccess at every level, the SCP attached at the root.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compactJson, PolicyDocument } from "../policies/document";
import { BreakGlassWindow, buildRootAccessScp } from "../policies/rootAccessScp";
import {
  Decision,
  decide,
  defaultKeyPolicy,
  OrgLevel,
  OrgInfo,
  principals,
  RequestPrincipal,
  simulateScp,
} from "./support/scpSimulator";

const PARTITION = "aws";
const ORG_ID = "o-7h2kq9x4mz";
const ROOT_ID = "r-4f8a";
const MANAGEMENT = "314159265358";
const LOG_ARCHIVE = "271828182845";
const PAYMENTS_PROD = "223606797749";
const WEB_DEV = "300000000003"; // the break-glass account
const MEMBERS = [LOG_ARCHIVE, PAYMENTS_PROD, WEB_DEV];

/** The break-glass window of WEB_DEV closes at T. */
const T = "2026-11-27T18:00:00Z";
const WELL_BEFORE_T = "2026-11-20T09:30:00Z";
const JUST_BEFORE_T = "2026-11-27T17:59:59Z";
const JUST_AFTER_T = "2026-11-27T18:00:01Z";
const WELL_AFTER_T = "2027-02-01T00:00:00Z";

const OU_PATHS: Record<string, readonly string[]> = {
  [MANAGEMENT]: [],
  [LOG_ARCHIVE]: ["ou-4f8a-sec0urty"],
  [PAYMENTS_PROD]: ["ou-4f8a-w0rkl0ad", "ou-4f8a-pr0d0001"],
  [WEB_DEV]: ["ou-4f8a-w0rkl0ad", "ou-4f8a-n0npr0d1"],
};
/** Any other member (property tests): under Workloads/NonProd. */
const DEFAULT_OU_PATH = ["ou-4f8a-w0rkl0ad", "ou-4f8a-n0npr0d1"];

function ouPath(accountId: string): readonly string[] {
  return OU_PATHS[accountId] ?? DEFAULT_OU_PATH;
}

function org(accountId: string): OrgInfo {
  return {
    partition: PARTITION,
    organizationId: ORG_ID,
    orgPath: [ORG_ID, ROOT_ID, ...ouPath(accountId)].join("/") + "/",
  };
}

/** The account's chain with `scp` attached at the organization root. */
function chain(accountId: string, scp: PolicyDocument): OrgLevel[] {
  return [
    { id: ROOT_ID, scps: [{ name: "RootAccess", policy: scp }] },
    ...ouPath(accountId).map((id) => ({ id })),
    { id: accountId },
  ];
}

const POLICY = buildRootAccessScp({
  partition: PARTITION,
  breakGlass: [{ accountId: WEB_DEV, expiresAt: T }],
});

// --- what is asked ----------------------------------------------------------------------------

interface ActionCase {
  readonly action: string;
  readonly resource: (accountId: string) => string;
  readonly resourcePolicy?: (accountId: string) => unknown;
}

const REGION = "us-east-1";
const ACTIONS: readonly ActionCase[] = [
  { action: "s3:GetObject", resource: (a) => `arn:aws:s3:::data-${a}/reports/q3.csv` },
  { action: "s3:PutBucketPolicy", resource: (a) => `arn:aws:s3:::data-${a}` },
  { action: "iam:CreateAccessKey", resource: (a) => `arn:aws:iam::${a}:user/alice` },
  {
    action: "iam:DeleteVirtualMFADevice",
    resource: (a) => `arn:aws:iam::${a}:mfa/root-account-mfa-device`,
  },
  { action: "iam:DeactivateMFADevice", resource: (a) => `arn:aws:iam::${a}:user/alice` },
  { action: "iam:UpdateAccountPasswordPolicy", resource: () => "*" },
  {
    action: "ec2:RunInstances",
    resource: (a) => `arn:aws:ec2:${REGION}:${a}:instance/i-0123456789abcdef0`,
  },
  { action: "organizations:LeaveOrganization", resource: () => "*" },
  {
    action: "kms:ScheduleKeyDeletion",
    resource: (a) => `arn:aws:kms:${REGION}:${a}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    resourcePolicy: (a) => defaultKeyPolicy(PARTITION, a),
  },
  {
    action: "cloudtrail:StopLogging",
    resource: (a) => `arn:aws:cloudtrail:${REGION}:${a}:trail/org-trail`,
  },
  {
    action: "guardduty:DeleteDetector",
    resource: (a) => `arn:aws:guardduty:${REGION}:${a}:detector/12abc34d567e8fa901bc2d34e56789f0`,
  },
  {
    action: "config:StopConfigurationRecorder",
    resource: (a) => `arn:aws:config:${REGION}:${a}:configuration-recorder/default/abcdef012345`,
  },
  { action: "account:CloseAccount", resource: (a) => `arn:aws:account::${a}:account` },
  {
    action: "sts:AssumeRole",
    resource: (a) => `arn:aws:iam::${a}:role/OrganizationAccountAccessRole`,
  },
];

function actionCase(name: string): ActionCase {
  const found = ACTIONS.find((a) => a.action === name);
  if (!found) {
    throw new Error(`no action case ${name}`);
  }
  return found;
}

interface Case {
  readonly name: string;
  readonly accountId: string;
  readonly principal: RequestPrincipal;
  readonly action: ActionCase;
  readonly at: string;
  readonly expected: Decision;
  /** For denials: the statements (`<level>/<policy>/<Sid>`) that must be the ones denying. */
  readonly deniedBy?: readonly string[];
}

const DENY_MEMBER_ROOT = `${ROOT_ID}/RootAccess/DenyMemberRootUser`;
const BREAK_GLASS_ENDS = `${ROOT_ID}/RootAccess/BreakGlassEnds${WEB_DEV}`;

const root = (a: string) => principals.rootUser(org(a), a);
const assumedRoot = (a: string) => principals.assumedRootSession(org(a), a);

const CASES: Case[] = [
  // The root user of a member without break-glass: denied, whatever it does.
  ...[LOG_ARCHIVE, PAYMENTS_PROD].flatMap((a) =>
    ACTIONS.map((action): Case => ({
      name: `root of ${a} is denied ${action.action}`,
      accountId: a,
      principal: root(a),
      action,
      at: WELL_BEFORE_T, // while WEB_DEV's break-glass window is open
      expected: "ExplicitlyDenied",
      deniedBy: [DENY_MEMBER_ROOT],
    })),
  ),
  // ... also once the window has closed (the other statement does not matter to them).
  ...[LOG_ARCHIVE, PAYMENTS_PROD].map((a): Case => ({
    name: `root of ${a} is denied after T too`,
    accountId: a,
    principal: root(a),
    action: actionCase("iam:CreateAccessKey"),
    at: WELL_AFTER_T,
    expected: "ExplicitlyDenied",
    deniedBy: [DENY_MEMBER_ROOT],
  })),
  // The break-glass account's root: allowed before T, denied after it.
  ...ACTIONS.map((action): Case => ({
    name: `root of break-glass ${WEB_DEV} is allowed ${action.action} before T`,
    accountId: WEB_DEV,
    principal: root(WEB_DEV),
    action,
    at: WELL_BEFORE_T,
    expected: "Allowed",
  })),
  ...ACTIONS.map((action): Case => ({
    name: `root of break-glass ${WEB_DEV} is denied ${action.action} after T`,
    accountId: WEB_DEV,
    principal: root(WEB_DEV),
    action,
    at: WELL_AFTER_T,
    expected: "ExplicitlyDenied",
    deniedBy: [BREAK_GLASS_ENDS],
  })),
  // The edge of the window. DateGreaterThan: the window is still open at T itself.
  ...(
    [
      [JUST_BEFORE_T, "Allowed"],
      [T, "Allowed"],
      [JUST_AFTER_T, "ExplicitlyDenied"],
    ] as const
  ).map(([at, expected]): Case => ({
    name: `root of break-glass ${WEB_DEV} at ${at} (T = ${T}): ${expected}`,
    accountId: WEB_DEV,
    principal: root(WEB_DEV),
    action: actionCase("s3:PutBucketPolicy"),
    at,
    expected,
    ...(expected === "ExplicitlyDenied" ? { deniedBy: [BREAK_GLASS_ENDS] } : {}),
  })),
  // The management account's root: SCPs do not apply to the management account.
  ...[
    "s3:PutBucketPolicy",
    "iam:CreateAccessKey",
    "iam:DeleteVirtualMFADevice",
    "ec2:RunInstances",
    "kms:ScheduleKeyDeletion",
    "cloudtrail:StopLogging",
  ].flatMap((name) =>
    [WELL_BEFORE_T, WELL_AFTER_T].map((at): Case => ({
      name: `root of the management account is allowed ${name} at ${at}`,
      accountId: MANAGEMENT,
      principal: root(MANAGEMENT),
      action: actionCase(name),
      at,
      expected: "Allowed",
    })),
  ),
  // AssumeRoot sessions (centralized root access): allowed in every member, at any time.
  ...MEMBERS.flatMap((a) =>
    ["iam:DeleteVirtualMFADevice", "iam:DeactivateMFADevice", "s3:PutBucketPolicy"].flatMap(
      (name) =>
        [WELL_BEFORE_T, WELL_AFTER_T].map((at): Case => ({
          name: `AssumeRoot session in ${a} is allowed ${name} at ${at}`,
          accountId: a,
          principal: assumedRoot(a),
          action: actionCase(name),
          at,
          expected: "Allowed",
        })),
    ),
  ),
  // IAM roles, role sessions, users, service-linked roles in members: untouched.
  ...MEMBERS.flatMap((a) =>
    (
      [
        ["role", principals.role(org(a), a, "Admin")],
        ["role session", principals.roleSession(org(a), a, "Admin", "alice@example.com")],
        [
          "role session with a path",
          principals.roleSession(
            org(a),
            a,
            "AWSReservedSSO_Admin_0123456789abcdef",
            "bob",
            "/aws-reserved/sso.amazonaws.com/",
          ),
        ],
        ["IAM user", principals.iamUser(org(a), a, "ci-deployer")],
        [
          "service-linked role session",
          principals.serviceLinkedRoleSession(
            org(a),
            a,
            "config.amazonaws.com",
            "AWSServiceRoleForConfig",
          ),
        ],
      ] as const
    ).flatMap(([kind, principal]) =>
      ["iam:CreateAccessKey", "ec2:RunInstances", "kms:ScheduleKeyDeletion"].map((name): Case => ({
        name: `${kind} in ${a} is allowed ${name}`,
        accountId: a,
        principal,
        action: actionCase(name),
        at: WELL_AFTER_T,
        expected: "Allowed",
      })),
    ),
  ),
  // A role literally named "root" is still a role.
  {
    name: `role session of a role named "root" in ${LOG_ARCHIVE} is allowed`,
    accountId: LOG_ARCHIVE,
    principal: principals.roleSession(org(LOG_ARCHIVE), LOG_ARCHIVE, "root", "s"),
    action: actionCase("s3:GetObject"),
    at: WELL_BEFORE_T,
    expected: "Allowed",
  },
  // sts:GetCallerIdentity needs no permission and cannot be denied, by an SCP either: AWS answers
  // it for a denied root user too (the simulator implements that). Not a hole in the SCP.
  ...MEMBERS.map((a): Case => ({
    name: `root of ${a} still gets sts:GetCallerIdentity (never deniable)`,
    accountId: a,
    principal: root(a),
    action: { action: "sts:GetCallerIdentity", resource: () => "*" },
    at: WELL_AFTER_T,
    expected: "Allowed",
  })),
];

async function run(c: Case, policy: PolicyDocument = POLICY) {
  return simulateScp({
    chain: chain(c.accountId, policy),
    managementAccount: c.accountId === MANAGEMENT,
    principal: c.principal,
    action: c.action.action,
    resource: { arn: c.action.resource(c.accountId), accountId: c.accountId },
    context: { "aws:CurrentTime": c.at },
    ...(c.action.resourcePolicy ? { resourcePolicy: c.action.resourcePolicy(c.accountId) } : {}),
  });
}

describe("root-access SCP in the IAM policy simulator", () => {
  it("has a large, uniquely named matrix", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES)("$name", async (c) => {
    const outcome = await run(c);
    expect(outcome.decision).toBe(c.expected);
    expect(outcome.scpsApplied).toBe(
      c.accountId !== MANAGEMENT &&
        !c.principal.context["aws:PrincipalArn"].includes(":role/aws-service-role/"),
    );
    if (c.expected === "ExplicitlyDenied") {
      expect(outcome.deniedBy).toEqual(c.deniedBy);
    } else {
      expect(outcome.deniedBy).toEqual([]);
    }
  });
});

// --- the harness itself: a test that passes for the wrong reason is worse than none -------------

describe("SCP simulator harness", () => {
  const denyAll: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Sid: "DenyAll", Effect: "Deny", Action: "*", Resource: "*" }],
  };
  const base = {
    accountId: LOG_ARCHIVE,
    principal: principals.roleSession(org(LOG_ARCHIVE), LOG_ARCHIVE, "Admin", "s"),
    action: actionCase("s3:GetObject"),
    at: WELL_BEFORE_T,
    name: "",
    expected: "Allowed" as const,
  };

  it("applies SCPs at every level, with FullAWSAccess everywhere", async () => {
    expect((await run(base)).decision).toBe("Allowed");
    expect((await run(base, denyAll)).decision).toBe("ExplicitlyDenied");
    // An SCP attached to an OU (not the root) is evaluated too.
    const outcome = await simulateScp({
      chain: [
        { id: ROOT_ID },
        { id: "ou-4f8a-sec0urty", scps: [{ name: "DenyAll", policy: denyAll }] },
        { id: LOG_ARCHIVE },
      ],
      managementAccount: false,
      principal: base.principal,
      action: "s3:GetObject",
      resource: { arn: base.action.resource(LOG_ARCHIVE), accountId: LOG_ARCHIVE },
      context: { "aws:CurrentTime": base.at },
    });
    expect(outcome).toEqual({
      decision: "ExplicitlyDenied",
      deniedBy: ["ou-4f8a-sec0urty/DenyAll/DenyAll"],
      scpsApplied: true,
    });
  });

  it("does not apply SCPs to the management account or to service-linked roles", async () => {
    const management = { ...base, accountId: MANAGEMENT, principal: root(MANAGEMENT) };
    expect(await run(management, denyAll)).toEqual({
      decision: "Allowed",
      deniedBy: [],
      scpsApplied: false,
    });
    const slr = {
      ...base,
      principal: principals.serviceLinkedRoleSession(
        org(LOG_ARCHIVE),
        LOG_ARCHIVE,
        "config.amazonaws.com",
        "AWSServiceRoleForConfig",
      ),
    };
    expect((await run(slr, denyAll)).decision).toBe("Allowed");
  });

  it("throws, instead of returning a decision, when the simulation is invalid", async () => {
    const request = {
      chain: chain(LOG_ARCHIVE, POLICY),
      managementAccount: false,
      principal: root(LOG_ARCHIVE),
      action: "s3:GetObject",
      resource: { arn: `arn:aws:s3:::data-${LOG_ARCHIVE}/k`, accountId: LOG_ARCHIVE },
      context: { "aws:CurrentTime": T },
    };
    await expect(decide({ ...request, action: "s3:GetObjects" })).rejects.toThrow(/invalid.action/);
    await expect(decide({ ...request, action: "iam:ListUsers" })).rejects.toThrow(
      /must.use.wildcard/,
    );
    await expect(
      decide({ ...request, resource: { ...request.resource, arn: "arn:aws:s3:::b/*" } }),
    ).rejects.toThrow(/wildcard/);
    const badScp = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "*", Resource: "*", Principal: "*" }],
    };
    await expect(
      decide({
        ...request,
        chain: [{ id: ROOT_ID, scps: [{ name: "Bad", policy: badScp }] }, { id: LOG_ARCHIVE }],
      }),
    ).rejects.toThrow(/policy.errors/);
    // A date AWS could not compare must not quietly turn a Deny off.
    await expect(
      decide({
        ...request,
        principal: root(WEB_DEV),
        chain: chain(WEB_DEV, POLICY),
        resource: { ...request.resource, accountId: WEB_DEV },
        context: { "aws:CurrentTime": "next tuesday" },
      }),
    ).rejects.toThrow(/not a date/);
    // Without aws:CurrentTime, a break-glass window would never close.
    await expect(decide({ ...request, context: {} })).rejects.toThrow(/aws:CurrentTime/);
    await expect(
      decide({ ...request, context: { ...request.context, "aws:PrincipalAccount": WEB_DEV } }),
    ).rejects.toThrow(/not the account/);
  });
});

// --- properties --------------------------------------------------------------------------------

const accountIdArb = fc.stringMatching(/^[0-9]{12}$/).filter((id) => id !== MANAGEMENT);
const epochSecondsArb = fc.integer({
  min: Date.parse("2026-01-01T00:00:00Z") / 1000,
  max: Date.parse("2030-01-01T00:00:00Z") / 1000,
});
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
const windowsArb = fc.uniqueArray(
  fc.record({ accountId: accountIdArb, expiresAt: epochSecondsArb.map(iso) }),
  { selector: (w) => w.accountId, minLength: 0, maxLength: 8 },
);
const PROPERTY_ACTIONS = [
  "s3:PutBucketPolicy",
  "iam:CreateAccessKey",
  "ec2:RunInstances",
  "organizations:LeaveOrganization",
];

/** Seconds around an expiry: mostly the edge itself, to probe where the window closes. */
const nearExpiry = (expiry: number) =>
  fc.constantFrom(-1, 0, 0, 1).map((delta) => iso(expiry + delta));

const scenarioArb = windowsArb.chain((windows) => {
  const requester =
    windows.length > 0
      ? fc.oneof(
          // Often an account with a window, at a time right around its own expiry.
          fc.constantFrom(...windows).chain((own) =>
            fc.record({
              accountId: fc.constant(own.accountId),
              at: fc.oneof(nearExpiry(Date.parse(own.expiresAt) / 1000), epochSecondsArb.map(iso)),
            }),
          ),
          // Or any member, at a time around someone's expiry or at any time.
          fc.record({
            accountId: accountIdArb,
            at: fc.oneof(
              fc
                .constantFrom(...windows)
                .chain((other) => nearExpiry(Date.parse(other.expiresAt) / 1000)),
              epochSecondsArb.map(iso),
            ),
          }),
        )
      : fc.record({ accountId: accountIdArb, at: epochSecondsArb.map(iso) });
  return fc.record({
    windows: fc.constant(windows),
    requester,
    assumedRoot: fc.boolean(),
    action: fc.constantFrom(...PROPERTY_ACTIONS),
  });
});

/**
 * The window is open until aws:CurrentTime is later than expiresAt: the SCP denies with
 * `DateGreaterThan aws:CurrentTime expiresAt`, so at expiresAt itself the root is still allowed.
 */
function expectedAllowed(
  windows: readonly BreakGlassWindow[],
  accountId: string,
  at: string,
  assumedRoot: boolean,
) {
  return (
    assumedRoot ||
    windows.some((w) => w.accountId === accountId && Date.parse(w.expiresAt) >= Date.parse(at))
  );
}

describe("root-access SCP properties in the simulator", () => {
  it("allows a member's root exactly in an open break-glass window, or as an AssumeRoot session", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        async ({ windows, requester: { accountId, at }, assumedRoot: isAssumedRoot, action }) => {
          const policy = buildRootAccessScp({ partition: PARTITION, breakGlass: windows });
          expect(JSON.parse(compactJson(policy))).toEqual(policy);
          const outcome = await simulateScp({
            chain: chain(accountId, JSON.parse(compactJson(policy))),
            managementAccount: false,
            principal: isAssumedRoot ? assumedRoot(accountId) : root(accountId),
            action,
            resource: {
              arn: actionCase(action).resource(accountId),
              accountId,
            },
            context: { "aws:CurrentTime": at },
          });
          const allowed = expectedAllowed(windows, accountId, at, isAssumedRoot);
          expect(outcome.decision).toBe(allowed ? "Allowed" : "ExplicitlyDenied");
          if (!allowed) {
            const ownWindow = windows.some((w) => w.accountId === accountId);
            expect(outcome.deniedBy).toEqual([
              ownWindow ? `${ROOT_ID}/RootAccess/BreakGlassEnds${accountId}` : DENY_MEMBER_ROOT,
            ]);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("never lets a member's IAM role session be denied, whatever the break-glass entries", async () => {
    await fc.assert(
      fc.asyncProperty(
        windowsArb,
        accountIdArb,
        epochSecondsArb.map(iso),
        async (windows, accountId, at) => {
          const policy = buildRootAccessScp({ partition: PARTITION, breakGlass: windows });
          const decision = await decide({
            chain: chain(accountId, policy),
            managementAccount: false,
            principal: principals.roleSession(org(accountId), accountId, "Admin", "s"),
            action: "iam:CreateAccessKey",
            resource: { arn: `arn:aws:iam::${accountId}:user/alice`, accountId },
            context: { "aws:CurrentTime": at },
          });
          expect(decision).toBe("Allowed");
        },
      ),
      { numRuns: 50 },
    );
  });
});
