import { createServer, IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandAsync } from "./support/cli";
import { DEV, devOrganization, FIXTURE_STACKS } from "./support/fixtures";

/**
 * `npm run root-credentials` as a user runs it, against an independent fake of the STS and IAM
 * Query APIs on a local port, reached only through the SDK's standard endpoint variables
 * (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM) and the default credential chain: the wire format
 * (form-encoded requests, XML answers, IAM's NoSuchEntity error) is AWS's, not a mock's.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */

const organization = devOrganization();
const ACTIVE = organization
  .memberAccounts()
  .filter((account) => account.state === "ACTIVE")
  .map((account) => account.id);

interface Seen {
  readonly host: string;
  readonly params: URLSearchParams;
  readonly keyId: string;
}

const seen: Seen[] = [];
let server: Server;
let url = "";

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => resolve(text));
  });
}

/** The account a root session's key was issued for (this fake's keys: ASIA<account>ROOT). */
const accountOfKey = (key: string) => /^ASIA(\d{12})ROOT$/.exec(key)?.[1];

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const params = new URLSearchParams(await body(request));
    const keyId = /Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? "";
    seen.push({ host: request.headers.host ?? "", params, keyId });
    const action = params.get("Action");
    const xml = (status: number, text: string) => {
      response.writeHead(status, { "content-type": "text/xml" });
      response.end(text);
    };
    if (action === "GetCallerIdentity") {
      return xml(
        200,
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${DEV.management}:user/platform</Arn><UserId>AIDAPLATFORM</UserId><Account>${DEV.management}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    }
    if (action === "AssumeRoot") {
      return xml(
        200,
        `<AssumeRootResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRootResult><Credentials><AccessKeyId>ASIA${params.get("TargetPrincipal")}ROOT</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRootResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRootResponse>`,
      );
    }
    const account = accountOfKey(keyId);
    if (account === undefined) {
      return xml(
        403,
        `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not a root session</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      );
    }
    const withPassword = account === DEV.paymentsProd;
    switch (action) {
      case "GetLoginProfile":
        return withPassword
          ? xml(
              200,
              `<GetLoginProfileResponse><GetLoginProfileResult><LoginProfile><UserName>root</UserName><CreateDate>2024-01-01T00:00:00Z</CreateDate></LoginProfile></GetLoginProfileResult></GetLoginProfileResponse>`,
            )
          : xml(
              404,
              `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>Login Profile for User root cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
            );
      case "ListAccessKeys":
        return xml(
          200,
          `<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata/><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>`,
        );
      case "ListMFADevices":
        return xml(
          200,
          `<ListMFADevicesResponse><ListMFADevicesResult><MFADevices/><IsTruncated>false</IsTruncated></ListMFADevicesResult></ListMFADevicesResponse>`,
        );
      case "ListSigningCertificates":
        return xml(
          200,
          `<ListSigningCertificatesResponse><ListSigningCertificatesResult><Certificates/><IsTruncated>false</IsTruncated></ListSigningCertificatesResult></ListSigningCertificatesResponse>`,
        );
      default:
        return xml(
          400,
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

describe("npm run root-credentials against an STS and IAM endpoint of the SDK's standard variables", () => {
  it("audits every active member account over the wire, with the management account's credentials for AssumeRoot and each session's for IAM", async () => {
    const result = await runCommandAsync(
      "root-credentials",
      ["audit", "--stack", "dev", "--stacks", FIXTURE_STACKS],
      {
        env: {
          AWS_ENDPOINT_URL_STS: url,
          AWS_ENDPOINT_URL_IAM: url,
          AWS_ACCESS_KEY_ID: "AKIAMANAGEMENT000001",
          AWS_SECRET_ACCESS_KEY: "management-secret",
          AWS_SESSION_TOKEN: "",
          AWS_PROFILE: "",
          AWS_EC2_METADATA_DISABLED: "true",
        },
      },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(1);
    const assumes = seen.filter((s) => s.params.get("Action") === "AssumeRoot");
    expect(assumes.map((s) => s.params.get("TargetPrincipal")).sort()).toEqual([...ACTIVE].sort());
    for (const call of assumes) {
      expect(call.keyId).toBe("AKIAMANAGEMENT000001");
      expect(call.params.get("TaskPolicyArn.arn")).toBe(
        "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
      );
      expect(call.params.get("DurationSeconds")).toBe("900");
    }
    const reads = seen.filter(
      (s) => !["AssumeRoot", "GetCallerIdentity"].includes(s.params.get("Action") ?? ""),
    );
    expect(reads).toHaveLength(ACTIVE.length * 4);
    expect(reads.every((s) => accountOfKey(s.keyId) !== undefined)).toBe(true);
    expect(result.stdout.split("\n").find((line) => line.startsWith(DEV.paymentsProd))).toMatch(
      /password$/,
    );
    expect(result.stdout).toContain(
      `Of ${ACTIVE.length} account(s): 1 with root credentials, 0 that could not be checked.`,
    );
  }, 60_000);
});
