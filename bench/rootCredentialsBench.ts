import { createServer, IncomingMessage } from "node:http";
import { AddressInfo } from "node:net";
import { ACCOUNT_CONCURRENCY, defaultClients } from "../cli/root-credentials";
import { RateLimit } from "../org/rateLimiter";
import { inParallel } from "../lib/concurrency";
import { AccountAudit, auditAccount } from "../rootCredentials/credentials";
import { randomGenerator } from "../test/support/cloudtrailGenerator";
import { BenchOptions, machineLine, sized } from "./harness";

/**
 * Root-credentials audit benchmark: `auditAccount` for every account with the command's clients
 * and concurrency (the real SDK: Query protocol, XML, adaptive retry, 10 attempts), against a local
 * HTTP fake of STS and IAM that throttles with token buckets and delays each request.
 *
 * Rates: AWS publishes none for AssumeRoot or the IAM reads. IAM and STS "independently implement
 * a token bucket algorithm for throttling ... The number of tokens that a bucket holds and the
 * refill rate depends on the API" (AWS Security Blog, "How to monitor and query IAM resources at
 * scale - Part 2"). The fake assumes the rates below and says so; AssumeRoot is the bottleneck,
 * since every call comes from the management account, while each account's reads fall on that
 * member account's own IAM buckets.
 */
const ASSUME_ROOT_RATE: RateLimit = { perSecond: 20, burst: 20 };
const IAM_READ_RATE: RateLimit = { perSecond: 5, burst: 8 };
const LATENCY_MS: readonly [number, number] = [10, 40];

interface Bucket {
  tokens: number;
  at: number;
  readonly limit: RateLimit;
}

function admit(buckets: Map<string, Bucket>, key: string, limit: RateLimit): boolean {
  const now = performance.now();
  const bucket = buckets.get(key) ?? { tokens: limit.burst, at: now, limit };
  bucket.tokens = Math.min(
    limit.burst,
    bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond,
  );
  bucket.at = now;
  buckets.set(key, bucket);
  if (bucket.tokens < 1) {
    return false;
  }
  bucket.tokens -= 1;
  return true;
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => resolve(text));
  });
}

const number = (n: number): string => n.toLocaleString("en-US");

export async function runRootCredentialsBenchmark(options: BenchOptions): Promise<string> {
  const accounts = sized(options, 5_000, 200);
  const ids = Array.from({ length: accounts }, (_, index) => ({
    id: String(400_000_000_000 + index),
    name: `account-${index}`,
  }));
  // Every tenth root user has a password left: the audit must find exactly those.
  const withPassword = new Set(ids.filter((_, index) => index % 10 === 0).map((a) => a.id));
  const random = randomGenerator(17);
  const delay = () =>
    new Promise((resolve) =>
      setTimeout(resolve, LATENCY_MS[0] + random() * (LATENCY_MS[1] - LATENCY_MS[0])),
    );
  const buckets = new Map<string, Bucket>();
  const sent = new Map<string, number>();
  const throttled = new Map<string, number>();
  const server = createServer(async (request, response) => {
    const params = new URLSearchParams(await body(request));
    const action = params.get("Action") ?? "";
    sent.set(action, (sent.get(action) ?? 0) + 1);
    const key = /Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? "";
    const account = /^ASIA(\d{12})BENCH$/.exec(key)?.[1];
    const xml = async (status: number, text: string) => {
      await delay();
      response.writeHead(status, { "content-type": "text/xml" });
      response.end(text);
    };
    await delay();
    const admitted =
      action === "AssumeRoot"
        ? admit(buckets, "AssumeRoot", ASSUME_ROOT_RATE)
        : admit(buckets, `${account}:${action}`, IAM_READ_RATE);
    if (!admitted) {
      throttled.set(action, (throttled.get(action) ?? 0) + 1);
      return xml(
        400,
        `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      );
    }
    switch (action) {
      case "AssumeRoot":
        return xml(
          200,
          `<AssumeRootResponse><AssumeRootResult><Credentials><AccessKeyId>ASIA${params.get("TargetPrincipal")}BENCH</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRootResult></AssumeRootResponse>`,
        );
      case "GetLoginProfile":
        return account !== undefined && withPassword.has(account)
          ? xml(
              200,
              `<GetLoginProfileResponse><GetLoginProfileResult><LoginProfile><UserName>root</UserName><CreateDate>2024-01-01T00:00:00Z</CreateDate></LoginProfile></GetLoginProfileResult></GetLoginProfileResponse>`,
            )
          : xml(
              404,
              `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no login profile</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
            );
      case "ListAccessKeys":
        return xml(
          200,
          `<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata/></ListAccessKeysResult></ListAccessKeysResponse>`,
        );
      case "ListMFADevices":
        return xml(
          200,
          `<ListMFADevicesResponse><ListMFADevicesResult><MFADevices/></ListMFADevicesResult></ListMFADevicesResponse>`,
        );
      case "ListSigningCertificates":
        return xml(
          200,
          `<ListSigningCertificatesResponse><ListSigningCertificatesResult><Certificates/></ListSigningCertificatesResult></ListSigningCertificatesResponse>`,
        );
      default:
        return xml(
          400,
          `<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = defaultClients("eu-west-1", "aws", {
    endpoint,
    stsCredentials: { accessKeyId: "AKIAMANAGEMENT000001", secretAccessKey: "s" },
  });
  const started = performance.now();
  let audits: AccountAudit[];
  try {
    audits = await inParallel(ids, ACCOUNT_CONCURRENCY, (account) =>
      auditAccount(clients, account, "aws"),
    );
  } finally {
    clients.sts.destroy();
    server.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const failed = audits.filter((audit) => audit.error !== undefined);
  const found = audits
    .filter((audit) => audit.credentials?.password === true)
    .map((a) => a.accountId);
  const right =
    failed.length === 0 &&
    found.length === withPassword.size &&
    found.every((id) => withPassword.has(id));
  const total = (map: Map<string, number>) => [...map.values()].reduce((sum, n) => sum + n, 0);
  const fewest = accounts * 5;
  const floor = Math.max(0, (accounts - ASSUME_ROOT_RATE.burst) / ASSUME_ROOT_RATE.perSecond);
  const answered = total(sent) - total(throttled);
  const timeRatio = seconds / floor;
  const rows = [
    "AssumeRoot",
    "GetLoginProfile",
    "ListAccessKeys",
    "ListMFADevices",
    "ListSigningCertificates",
  ].map(
    (action) =>
      `| ${action} | ${number(accounts)} | ${number(sent.get(action) ?? 0)} | ${number(throttled.get(action) ?? 0)} |`,
  );
  return [
    "## Root-credentials audit against a throttling fake of STS and IAM",
    "",
    `Command: \`npm run bench -- ${options.quick ? "--quick " : ""}root-credentials\`${options.quick ? " (quick: a smoke test, not the benchmark's figures)" : ""}. Machine: ${machineLine()}.`,
    `${number(accounts)} member accounts, audited as \`npm run root-credentials -- audit\` does (${ACCOUNT_CONCURRENCY} accounts at a time, one AssumeRoot and four reads each, the SDK's adaptive retry with 10 attempts) against a local HTTP fake of the STS and IAM Query APIs: ` +
      `AssumeRoot throttled at ${ASSUME_ROOT_RATE.perSecond}/s, burst ${ASSUME_ROOT_RATE.burst} (assumed: AWS publishes no rate), each account's reads at ${IAM_READ_RATE.perSecond}/s, burst ${IAM_READ_RATE.burst} per action (assumed, on the member account's own buckets); ${LATENCY_MS[0]}-${LATENCY_MS[1]} ms one-way delay each way.`,
    "",
    "| call | fewest | sent (incl. retries) | throttled |",
    "| --- | ---: | ---: | ---: |",
    ...rows,
    "",
    `Floor: AssumeRoot's bucket, (${number(accounts)} - ${ASSUME_ROOT_RATE.burst}) / ${ASSUME_ROOT_RATE.perSecond} = ${floor.toFixed(1)} s. Measured: ${seconds.toFixed(1)} s; ${right ? `every account audited, the ${withPassword.size} passwords found` : `WRONG: ${failed.length} failed, ${found.length} passwords found of ${withPassword.size}`}.`,
    `Goals: calls answered equal to one AssumeRoot and four reads per account: ${number(answered)} for ${number(fewest)}, **${answered === fewest ? "MET" : "NOT MET"}** (${number(total(throttled))} throttled and retried by the SDK besides, ${(100 * (total(sent) / fewest - 1)).toFixed(1)}% more requests); ` +
      `wall time within 25% of the floor: ${(100 * (timeRatio - 1)).toFixed(1)}% over, **${timeRatio <= 1.25 && right ? "MET" : "NOT MET"}**.`,
  ].join("\n");
}
