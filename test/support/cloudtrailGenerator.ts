/**
 * Realistic synthetic CloudTrail records for benchmarks: about 1 KB each, the field layout
 * CloudTrail writes (eventVersion first), a mix of identities and services, and a small share
 * of root-user records (console sign-ins, API calls, service-invoked calls that CIS excludes).
 * Deterministic: the same seed gives the same files.
 */

/** A small, fast, seedable PRNG (mulberry32). */
export function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES: ReadonlyArray<readonly [string, readonly string[]]> = [
  [
    "ec2.amazonaws.com",
    ["DescribeInstances", "RunInstances", "DescribeSecurityGroups", "CreateTags"],
  ],
  ["s3.amazonaws.com", ["GetBucketAcl", "ListBuckets", "GetBucketPolicy", "PutBucketTagging"]],
  ["iam.amazonaws.com", ["GetRole", "ListRoles", "GetPolicy", "ListAttachedRolePolicies"]],
  ["sts.amazonaws.com", ["AssumeRole", "GetCallerIdentity", "AssumeRoleWithWebIdentity"]],
  ["kms.amazonaws.com", ["Decrypt", "GenerateDataKey", "DescribeKey"]],
  ["lambda.amazonaws.com", ["ListFunctions20150331", "GetFunction20150331v2", "Invoke"]],
  ["logs.amazonaws.com", ["CreateLogStream", "DescribeLogGroups", "PutRetentionPolicy"]],
  ["cloudformation.amazonaws.com", ["DescribeStacks", "ListStackResources", "GetTemplate"]],
];
const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2"];
const USER_AGENTS = [
  "aws-cli/2.17.12 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9",
  "aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS",
  "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.220 md/arch#x86_64 lang/python#3.12.4",
  "terraform-provider-aws/5.58.0 aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.5 md/GOOS#linux",
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

function hex(random: () => number, length: number): string {
  let text = "";
  while (text.length < length) {
    text += Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, "0");
  }
  return text.slice(0, length);
}

function accountId(random: () => number, accounts: number): string {
  return String(100000000000 + Math.floor(random() * accounts) * 7919).slice(0, 12);
}

function uuid(random: () => number): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export type RecordKind = "ordinary" | "root-console" | "root-api" | "root-invoked-by";

function baseRecord(random: () => number, time: Date, account: string): Record<string, unknown> {
  const [eventSource, events] = pick(random, SERVICES);
  const region = pick(random, REGIONS);
  const role = pick(random, ["Admin", "ReadOnly", "Deployer", "BreakGlass", "SecurityAudit"]);
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROA${hex(random, 17).toUpperCase()}:session-${hex(random, 8)}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/session-${hex(random, 8)}`,
      accountId: account,
      accessKeyId: `ASIA${hex(random, 16).toUpperCase()}`,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: `AROA${hex(random, 17).toUpperCase()}`,
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
        attributes: {
          creationDate: time.toISOString().replace(/\.\d+Z$/, "Z"),
          mfaAuthenticated: "false",
        },
      },
    },
    eventTime: time.toISOString().replace(/\.\d+Z$/, "Z"),
    eventSource,
    eventName: pick(random, events),
    awsRegion: region,
    sourceIPAddress: `${Math.floor(random() * 223) + 1}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`,
    userAgent: pick(random, USER_AGENTS),
    requestParameters: { maxResults: 100, nextToken: hex(random, 12) },
    responseElements: null,
    requestID: uuid(random),
    eventID: uuid(random),
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `${eventSource.split(".")[0]}.${region}.amazonaws.com`,
    },
  };
}

export function generateRecord(
  random: () => number,
  kind: RecordKind,
  time: Date,
  accounts = 5000,
): Record<string, unknown> {
  const account = accountId(random, accounts);
  const record = baseRecord(random, time, account);
  if (kind === "ordinary") {
    return record;
  }
  const rootIdentity = {
    type: "Root",
    principalId: account,
    arn: `arn:aws:iam::${account}:root`,
    accountId: account,
  };
  if (kind === "root-console") {
    return {
      ...record,
      userIdentity: { ...rootIdentity, accessKeyId: "" },
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      awsRegion: "us-east-1",
      requestParameters: null,
      responseElements: { ConsoleLogin: random() < 0.8 ? "Success" : "Failure" },
      additionalEventData: {
        LoginTo: "https://console.aws.amazon.com/console/home",
        MobileVersion: "No",
        MFAUsed: random() < 0.5 ? "Yes" : "No",
      },
      eventType: "AwsConsoleSignIn",
      readOnly: false,
    };
  }
  if (kind === "root-api") {
    return {
      ...record,
      userIdentity: { ...rootIdentity, accessKeyId: `AKIA${hex(random, 16).toUpperCase()}` },
    };
  }
  return {
    ...record,
    userIdentity: {
      ...rootIdentity,
      accessKeyId: `ASIA${hex(random, 16).toUpperCase()}`,
      invokedBy: "signin.amazonaws.com",
    },
  };
}

/** `count` records in CloudTrail's file layout, `rootShare` of them root records. */
export function generateLogFile(
  random: () => number,
  count: number,
  rootShare: number,
  start: Date,
): string {
  const records: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const time = new Date(start.getTime() + i * 37);
    const roll = random();
    const kind: RecordKind =
      roll >= rootShare
        ? "ordinary"
        : roll < rootShare * 0.4
          ? "root-console"
          : roll < rootShare * 0.8
            ? "root-api"
            : "root-invoked-by";
    records.push(JSON.stringify(generateRecord(random, kind, time)));
  }
  return `{"Records":[${records.join(",")}]}`;
}
