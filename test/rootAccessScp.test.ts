import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../lib/errors";
import { buildRootAccessScp, BreakGlassWindow } from "../policies/rootAccessScp";
import { renderScp } from "../policies/scpBudget";

const accountIdArb = fc.stringMatching(/^[0-9]{12}$/);
const isoArb = fc
  .date({
    min: new Date("2026-01-01T00:00:00Z"),
    max: new Date("2030-01-01T00:00:00Z"),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString().replace(/\.\d{3}Z$/, "Z"));
const windowsArb = fc.uniqueArray(fc.record({ accountId: accountIdArb, expiresAt: isoArb }), {
  selector: (w) => w.accountId,
  maxLength: 60,
});

function windows(count: number): BreakGlassWindow[] {
  return Array.from({ length: count }, (_, i) => ({
    accountId: String(200000000000 + i * 7919),
    expiresAt: "2026-11-27T18:00:00Z",
  }));
}

describe("root-access SCP builder", () => {
  it("is AWS's deny-member-root statement, exempting AssumeRoot sessions, when nobody has break-glass", () => {
    expect(buildRootAccessScp({ partition: "aws", breakGlass: [] })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyMemberRootUser",
          Effect: "Deny",
          Action: "*",
          Resource: "*",
          Condition: {
            ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:root" },
            Null: { "aws:AssumedRoot": "true" },
          },
        },
      ],
    });
  });

  it("uses the organization's partition in the root ARN", () => {
    const [statement] = buildRootAccessScp({ partition: "aws-cn", breakGlass: [] }).Statement;
    expect(statement.Condition?.ArnLike).toEqual({ "aws:PrincipalArn": "arn:aws-cn:iam::*:root" });
  });

  it("leaves break-glass accounts out of the main statement and denies each again after its expiry", () => {
    const document = buildRootAccessScp({
      partition: "aws",
      breakGlass: [
        { accountId: "300000000003", expiresAt: "2026-11-26T06:00:00Z" },
        { accountId: "223606797749", expiresAt: "2026-11-27T18:00:00Z" },
      ],
    });
    expect(document.Statement[0].Condition?.StringNotEquals).toEqual({
      "aws:PrincipalAccount": ["223606797749", "300000000003"],
    });
    expect(document.Statement.slice(1)).toEqual([
      {
        Sid: "BreakGlassEnds223606797749",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: {
          ArnLike: { "aws:PrincipalArn": "arn:aws:iam::223606797749:root" },
          Null: { "aws:AssumedRoot": "true" },
          DateGreaterThan: { "aws:CurrentTime": "2026-11-27T18:00:00Z" },
        },
      },
      {
        Sid: "BreakGlassEnds300000000003",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: {
          ArnLike: { "aws:PrincipalArn": "arn:aws:iam::300000000003:root" },
          Null: { "aws:AssumedRoot": "true" },
          DateGreaterThan: { "aws:CurrentTime": "2026-11-26T06:00:00Z" },
        },
      },
    ]);
  });

  it("renders compact JSON whose size is what AWS counts", () => {
    const rendered = renderScp(
      "root-access",
      buildRootAccessScp({ partition: "aws", breakGlass: [] }),
      5120,
      "",
    );
    expect(rendered.content).not.toMatch(/\s/);
    expect(rendered.size).toBe(rendered.content.length);
    expect(rendered.size).toBe(212);
  });

  it("costs 269 characters per break-glass entry: 212, 1,602 and 13,707 for 0, 5 and 50 entries", () => {
    const size = (count: number): number =>
      JSON.stringify(buildRootAccessScp({ partition: "aws", breakGlass: windows(count) })).length;
    expect([0, 5, 50].map(size)).toEqual([212, 1602, 13707]);
    // So 18 open windows fit the 5,120-character budget every partition has, and 19 do not.
    expect(size(18)).toBeLessThanOrEqual(5120);
    expect(size(19)).toBeGreaterThan(5120);
  });

  it("should fail loudly, naming the size and the budget, when the SCP does not fit", () => {
    const document = buildRootAccessScp({ partition: "aws", breakGlass: windows(30) });
    expect(() => renderScp("root-access", document, 5120, "Close entries.")).toThrow(InputError);
    expect(() => renderScp("root-access", document, 5120, "Close entries.")).toThrow(
      /^The root-access SCP is \d+ characters, over the budget of 5120 \(aws-org-guardrails:scpLimits\.maxPolicyCharacters\)\. Close entries\.$/,
    );
  });

  it("property: the document always parses back to itself and fits the budget or fails loudly", () => {
    fc.assert(
      fc.property(windowsArb, fc.integer({ min: 200, max: 10240 }), (breakGlass, budget) => {
        const document = buildRootAccessScp({ partition: "aws", breakGlass });
        let rendered;
        try {
          rendered = renderScp("root-access", document, budget, "");
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect(JSON.stringify(document).length).toBeGreaterThan(budget);
          return;
        }
        expect(rendered.size).toBeLessThanOrEqual(budget);
        expect(JSON.parse(rendered.content)).toEqual(document);
      }),
    );
  });

  it("property: every member account not in break-glass is denied by the main statement, every listed one is re-denied after expiry", () => {
    fc.assert(
      fc.property(windowsArb, accountIdArb, (breakGlass, member) => {
        const document = buildRootAccessScp({ partition: "aws", breakGlass });
        const [main, ...expiries] = document.Statement;
        const exempt = (main.Condition?.StringNotEquals?.["aws:PrincipalAccount"] ??
          []) as string[];
        const entry = breakGlass.find((w) => w.accountId === member);
        expect(exempt.includes(member)).toBe(entry !== undefined);
        const expiry = expiries.find(
          (s) => s.Condition?.ArnLike?.["aws:PrincipalArn"] === `arn:aws:iam::${member}:root`,
        );
        expect(expiry?.Condition?.DateGreaterThan?.["aws:CurrentTime"]).toBe(entry?.expiresAt);
        for (const statement of document.Statement) {
          expect(statement.Effect).toBe("Deny");
          expect(statement.Condition?.Null).toEqual({ "aws:AssumedRoot": "true" });
        }
      }),
    );
  });

  it("property: the document does not depend on the order of the entries", () => {
    fc.assert(
      fc.property(windowsArb, (breakGlass) => {
        const reversed = [...breakGlass].reverse();
        expect(buildRootAccessScp({ partition: "aws", breakGlass: reversed })).toEqual(
          buildRootAccessScp({ partition: "aws", breakGlass }),
        );
      }),
    );
  });
});

describe("splittable SCPs", () => {
  it("packs statements in order into as few documents as fit, and refuses a statement that fits none", async () => {
    const { renderSplittableScp } = await import("../policies/scpBudget");
    const statement = (sid: string) => ({
      Sid: sid,
      Effect: "Deny" as const,
      Action: "s3:DeleteBucket",
      Resource: "*",
    });
    const document = {
      Version: "2012-10-17" as const,
      Statement: ["A1", "B2", "C3", "D4", "E5"].map(statement),
    };
    const one = JSON.stringify({ Version: "2012-10-17", Statement: [statement("A1")] }).length;
    const two = JSON.stringify({
      Version: "2012-10-17",
      Statement: [statement("A1"), statement("B2")],
    }).length;
    expect(renderSplittableScp("t", document, 10_000, "")).toHaveLength(1);
    const parts = renderSplittableScp("t", document, two, "");
    expect(parts.map((part) => part.document.Statement.map((s) => s.Sid))).toEqual([
      ["A1", "B2"],
      ["C3", "D4"],
      ["E5"],
    ]);
    expect(parts.every((part) => part.size <= two)).toBe(true);
    expect(() => renderSplittableScp("t", document, one - 1, "")).toThrow(InputError);
  });
});
