import { compileFilterPattern } from "./filterPattern";
import { NOTIFIER_PATTERN, ROOT_DETECTIONS } from "./patterns";

/**
 * One definition of root activity for everything that decides on it: the notifier receives what
 * the subscription filter's `NOTIFIER_PATTERN` matches and judges each record with the same
 * pattern through the same evaluator as replay and the tests, so widening the pattern can never
 * make the notifier drop records it is sent. Pure: no I/O.
 */

const notifierMatches = compileFilterPattern(NOTIFIER_PATTERN);
const detections = ROOT_DETECTIONS.map((detection) => ({
  name: detection.name,
  matches: compileFilterPattern(detection.pattern),
}));

/** Whether the subscription filter delivers this record to the notifier. */
export function isNotifiedRootEvent(record: unknown): boolean {
  return notifierMatches(record);
}

/** The names of the deployed detections (metric filters) the record matches, in deployment order. */
export function matchedDetections(record: unknown): string[] {
  return detections.filter((detection) => detection.matches(record)).map((d) => d.name);
}
