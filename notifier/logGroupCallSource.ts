import { CloudWatchLogsClient, paginateFilterLogEvents } from "@aws-sdk/client-cloudwatch-logs";
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
   * (`<management account>_CloudTrail_<region>` for the management account's own events,
   * `<organization id>_<account>_CloudTrail_<region>` for a member's), so a look-up reads their
   * streams only, never the organization's other thousands.
   * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html
   */
  readonly streamPrefixes: readonly string[];
  /** Pages followed per stream prefix at most (each up to 10,000 events or 1 MB). */
  readonly maxPages?: number;
}

/** An access key id as STS issues them: letters and digits only, so it is safe inside a pattern. */
const KEY_ID = /^[A-Z0-9]{16,128}$/;

/**
 * AssumeRoot calls looked up in the central log group with CloudWatch Logs FilterLogEvents: one
 * filter pattern on the call's response (the key it issued), the window of the session, the
 * callers' streams only. FilterLogEvents may return an empty page with a next token while it scans:
 * the SDK's paginator follows the token, and the walk stops at the first page with a match or at
 * `maxPages`. The quota is 5 requests per second per account and region (CloudWatch Logs quotas);
 * the prover makes one look-up per session, so a busy organization stays far below it.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
 */
export class LogGroupCallSource implements AssumeRootCallSource {
  private readonly maxPages: number;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly options: LogGroupCallSourceOptions,
  ) {
    this.maxPages = options.maxPages ?? 20;
  }

  async find(query: CallQuery): Promise<AssumeRootCall[]> {
    if (!KEY_ID.test(query.accessKeyId)) {
      return [];
    }
    const filterPattern = `{ ($.eventName = "AssumeRoot") && ($.responseElements.credentials.accessKeyId = "${query.accessKeyId}") }`;
    const calls: AssumeRootCall[] = [];
    for (const prefix of this.options.streamPrefixes) {
      let pages = 0;
      for await (const page of paginateFilterLogEvents(
        { client: this.client },
        {
          logGroupName: this.options.logGroupName,
          logStreamNamePrefix: prefix,
          startTime: query.from.getTime(),
          endTime: query.to.getTime(),
          filterPattern,
        },
      )) {
        pages += 1;
        for (const event of page.events ?? []) {
          let record: unknown;
          try {
            record = JSON.parse(event.message ?? "");
          } catch {
            continue;
          }
          const call = assumeRootCallOf(record);
          if (call !== undefined && call.accessKeyId === query.accessKeyId) {
            calls.push(call);
          }
        }
        if (calls.length > 0 || pages >= this.maxPages) {
          break;
        }
      }
      if (calls.length > 0) {
        break;
      }
    }
    return calls;
  }
}
