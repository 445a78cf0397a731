import { BREAK_GLASS_ENV } from "./breakGlass";

/** The function's configuration, set by the RootActivityNotifier component. */
export const NOTIFIER_ENV = {
  /** Approved root use and the alarms' backstops. */
  informationalTopic: "TOPIC_ARN",
  /** Unexplained root use: the page. */
  pagingTopic: "PAGING_TOPIC_ARN",
  /** The central log group, where AssumeRoot calls are looked up. */
  logGroup: "CENTRAL_LOG_GROUP",
  /** JSON list of the log-stream prefixes of the accounts allowed to call AssumeRoot. */
  streamPrefixes: "ASSUME_ROOT_STREAM_PREFIXES",
  /** JSON list of those accounts. */
  callers: "ASSUME_ROOT_CALLERS",
  /** FilterLogEvents requests per second one container may send (a share of the quota). */
  lookupsPerSecond: "ASSUME_ROOT_LOOKUPS_PER_SECOND",
  breakGlass: BREAK_GLASS_ENV,
  /** The DynamoDB table of alerts sent and forwarded AssumeRoot calls (notifier/alertStore.ts). */
  alertStore: "ALERT_STORE_TABLE",
} as const;
