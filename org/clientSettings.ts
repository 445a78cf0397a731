/**
 * The settings every AWS client of discovery is built with, as the AWS CLI would: the profile and
 * region from the options, else the usual environment, and the SDK's adaptive retry (client-side
 * rate limiting that backs off on throttling, which large organizations hit).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export function discoveryClientSettings(options: { region?: string; profile?: string }) {
  return {
    region:
      options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    profile: options.profile,
    retryMode: "adaptive",
    maxAttempts: 10,
  };
}
