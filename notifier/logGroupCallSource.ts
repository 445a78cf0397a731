import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { RateLimiter } from "../org/rateLimiter";
import {
  AssumeRootCall,
  AssumeRootCallSource,
  assumeRootCallOf,
  CallQuery,
} from "./assumeRootProof";

export interface LogGroupCallSourceOptions {
  /** The central log group the organization trail delivers to. */
  readonly logGroupName: string;
  /**
   * The log streams of the accounts allowed to call AssumeRoot: the trail names them by account
   * (`<management account>_CloudTrail_` for the management account's own events,
   * `<organization id>_<account>_CloudTrail_` for a member's, each followed by a region), so a
   * look-up reads their streams only, never the organization's other thousands.
   * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html
   */
  readonly streamPrefixes: readonly string[];
  /** Pages followed per stream prefix at most (each up to 10,000 events or 1 MB). */
  readonly maxPages?: number;
  /**
   * FilterLogEvents requests this container sends per second at most. The quota is 5 per second
   * per account and region, shared by every caller (people searching the log group too); the
   * component divides 4 of them among the function's reserved concurrency.
   */
  readonly requestsPerSecond?: number;
  /** Requests that may go at once after a pause (default: the whole part of the rate, at least 1). */
  readonly burst?: number;
  /** Milliseconds from a monotonic clock, for the pacing; injectable for tests. */
  readonly now?: () => number;
}

/** An access key id as STS issues them: letters and digits only, so it is safe inside a pattern. */
const KEY_ID = /^[A-Z0-9]{16,128}$/;

/**
 * How late, after its eventTime, a call may reach the log group and still be found: the look-up's
 * endTime is the window's end plus this. Whether CloudTrail stamps a log event with the record's
 * eventTime or with its delivery time is not documented; CloudTrail delivers within about 5
 * minutes on average, so 15 minutes covers either without widening the scan much.
 */
export const DELIVERY_ALLOWANCE_MS = 15 * 60_000;

/**
 * FilterLogEvents allows 5 requests per second per account and region
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html). The
 * notifier's containers share 4 of them (one is left for people searching the log group): each
 * container paces itself at 4 divided by the reserved concurrency. Without a reservation there is
 * no bound on containers; each then takes 1 per second and a burst of audits can be throttled
 * (a throttled look-up reports its event as unexplained, never drops it).
 */
export const FILTER_LOG_EVENTS_SHARE = 4;

export function lookupsPerSecond(reservedConcurrency: number | null): number {
  return reservedConcurrency === null ? 1 : FILTER_LOG_EVENTS_SHARE / reservedConcurrency;
}

const OPERATION = "FilterLogEvents";

/**
 * AssumeRoot calls looked up in the central log group with CloudWatch Logs FilterLogEvents: one
 * filter pattern on the call's response (the key it issued), the window of the session, the
 * callers' streams only. FilterLogEvents may return an empty page with a next token while it
 * scans: the walk follows the token to the first page with a match. A walk cut short (maxPages,
 * a failed request, the deadline) is an error, so the alert says the check could not be made
 * instead of "no call". Pages are requested one at a time (not with the SDK's paginator) so that
 * each request is paced and can be aborted by the handler's deadline.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
 */
export class LogGroupCallSource implements AssumeRootCallSource {
  private readonly maxPages: number;
  private readonly limiter: RateLimiter;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly options: LogGroupCallSourceOptions,
  ) {
    this.maxPages = options.maxPages ?? 20;
    const perSecond = options.requestsPerSecond ?? 2;
    this.limiter = new RateLimiter({
      limits: {
        [OPERATION]: { perSecond, burst: options.burst ?? Math.max(1, Math.floor(perSecond)) },
      },
      reserve: 0,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  async find(query: CallQuery, signal?: AbortSignal): Promise<AssumeRootCall[]> {
    if (!KEY_ID.test(query.accessKeyId)) {
      return [];
    }
    const filterPattern = `{ ($.eventName = "AssumeRoot") && ($.responseElements.credentials.accessKeyId = "${query.accessKeyId}") }`;
    for (const prefix of this.options.streamPrefixes) {
      let nextToken: string | undefined;
      for (let pages = 0; ;) {
        if (pages >= this.maxPages) {
          throw new Error(
            `the scan of ${prefix}* was not complete after ${this.maxPages} FilterLogEvents pages`,
          );
        }
        await this.limiter.acquire(OPERATION, signal);
        const page = await this.client.send(
          new FilterLogEventsCommand({
            logGroupName: this.options.logGroupName,
            logStreamNamePrefix: prefix,
            startTime: query.from.getTime(),
            endTime: query.to.getTime() + DELIVERY_ALLOWANCE_MS,
            filterPattern,
            ...(nextToken === undefined ? {} : { nextToken }),
          }),
          signal === undefined ? {} : { abortSignal: signal },
        );
        pages += 1;
        const calls = (page.events ?? []).flatMap((event) => {
          let record: unknown;
          try {
            record = JSON.parse(event.message ?? "");
          } catch {
            return [];
          }
          const call = assumeRootCallOf(record);
          return call !== undefined && call.accessKeyId === query.accessKeyId ? [call] : [];
        });
        if (calls.length > 0) {
          return calls;
        }
        nextToken = page.nextToken;
        if (nextToken === undefined || nextToken === "") {
          break;
        }
      }
    }
    return [];
  }
}
