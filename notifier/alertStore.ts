import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  AssumeRootCall,
  AssumeRootCallSource,
  CallQuery,
  SESSION_SECONDS,
} from "./assumeRootProof";

/**
 * The notifier's store (a DynamoDB table with TTL, components/rootActivityNotifier.ts):
 *
 * - which alerts were sent, per CloudTrail event ID (and per proved session), so that the same
 *   event arriving twice, through EventBridge within seconds and the log group's subscription
 *   minutes later, or twice through one path (both deliver at least once), pages once, across
 *   every container of the function;
 * - the AssumeRoot calls the management account's rules forward, so a member account's session
 *   is proved seconds after its call instead of when the call reaches the log group.
 *
 * One item per key: `pk` the key, `expiresAt` epoch seconds (the table's TTL attribute; DynamoDB
 * deletes expired items within days, so reads check it too:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html).
 */
export interface AlertStore {
  /**
   * Takes `id` for this sender until `leaseUntil` (ms), long enough to publish; false when another
   * delivery holds it (its alert went out, or is going out within its lease).
   */
  claim(id: string, leaseUntil: number): Promise<boolean>;
  /** Marks a claimed alert sent, remembered until `expiresAt` (ms). */
  confirm(id: string, expiresAt: number): Promise<void>;
  /** Gives a claim back after its publish failed, so a retry (of either path) sends it. */
  release(id: string): Promise<void>;
  putCall(call: AssumeRootCall, expiresAt: number): Promise<void>;
  /** The calls stored for a key, unexpired. */
  callsFor(accessKeyId: string): Promise<AssumeRootCall[]>;
}

/** How long a sent alert is remembered: longer than the log group's path can lag. */
export const SENT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a claim holds before its alert is confirmed sent: twice the function's timeout (60 s,
 * components/rootActivityNotifier.ts). An invocation that dies between claim and publish (a
 * timeout, a crash) leaves a claim that lapses then, so Lambda's retry or the log path's copy
 * sends the alert: a duplicate at worst, never a lost page.
 */
export const CLAIM_LEASE_MS = 120_000;

const callKey = (accessKeyId: string) => `assumeRoot#${accessKeyId}`;
const sentKey = (id: string) => `sent#${id}`;

export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(id: string, leaseUntil: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: sentKey(id) },
            expiresAt: { N: String(Math.ceil(leaseUntil / 1000)) },
            state: { S: "pending" },
          },
          // Taken unless someone holds it and it has not expired (TTL deletes lag behind).
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
          ExpressionAttributeValues: { ":now": { N: String(Math.floor(this.now() / 1000)) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return false;
      }
      throw error;
    }
  }

  async confirm(id: string, expiresAt: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: sentKey(id) },
          expiresAt: { N: String(Math.ceil(expiresAt / 1000)) },
          state: { S: "sent" },
        },
      }),
    );
  }

  async release(id: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: sentKey(id) } } }),
    );
  }

  async putCall(call: AssumeRootCall, expiresAt: number): Promise<void> {
    // One call per key: STS issues each temporary key once.
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: callKey(call.accessKeyId) },
          expiresAt: { N: String(Math.ceil(expiresAt / 1000)) },
          call: { S: JSON.stringify(call) },
        },
      }),
    );
  }

  async callsFor(accessKeyId: string): Promise<AssumeRootCall[]> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: callKey(accessKeyId) } },
        ConsistentRead: true,
      }),
    );
    if (Item?.call?.S === undefined || Number(Item.expiresAt?.N ?? 0) * 1000 < this.now()) {
      return [];
    }
    return [JSON.parse(Item.call.S) as AssumeRootCall];
  }
}

/**
 * The store first (calls forwarded within seconds), then the log group (every call, minutes
 * late). A store that cannot be read is passed over, never a failed look-up: the log group still
 * answers. The prover's waits (notifier/assumeRootProof.ts) ask both again while a session's call
 * has not arrived yet.
 */
export class StoreFirstCallSource implements AssumeRootCallSource {
  constructor(
    private readonly store: Pick<AlertStore, "callsFor" | "putCall">,
    private readonly fallback: AssumeRootCallSource,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async find(query: CallQuery, signal?: AbortSignal): Promise<AssumeRootCall[]> {
    try {
      const stored = (await this.store.callsFor(query.accessKeyId)).filter((call) => {
        const at = Date.parse(call.eventTime);
        return at >= query.from.getTime() && at <= query.to.getTime();
      });
      if (stored.length > 0) {
        return stored;
      }
    } catch (error) {
      this.log(
        `the alert store could not be read for ${query.accessKeyId}, looking in the log group: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const found = await this.fallback.find(query, signal);
    // Kept for the other containers: each session then costs one log-group walk in all.
    await Promise.all(
      found.map((call) =>
        this.store.putCall(call, callExpiry(call)).catch((error: unknown) => {
          this.log(
            `the alert store could not keep the call for ${call.accessKeyId}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }),
      ),
    );
    return found;
  }
}

/** A call is kept as long as the prover keeps a proved key: the session and the log path's delay. */
export function callExpiry(call: AssumeRootCall): number {
  return Date.parse(call.eventTime) + (SESSION_SECONDS + 3600) * 1000;
}
