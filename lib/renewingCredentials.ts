/**
 * Credentials of an assumed role, assumed again before they run out: a session of a role assumed
 * from another role's session lasts at most one hour ("role chaining"), and a back-test of many
 * queries, or one long query, can outlast it.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
 */

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** The SDK asks its provider again once the identity it holds is in its last five minutes. */
const PROVIDER_MARGIN_MS = 5 * 60_000;

export class RenewingCredentials {
  private current: TemporaryCredentials | undefined;

  constructor(
    private readonly assume: () => Promise<TemporaryCredentials>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Credentials with at least `minimumMs` left; the role is assumed again if these have less. */
  async atLeast(minimumMs: number): Promise<TemporaryCredentials> {
    const left = (this.current?.expiration?.getTime() ?? Infinity) - this.now();
    if (this.current === undefined || left < minimumMs) {
      this.current = await this.assume();
    }
    return this.current;
  }

  /** As an AWS SDK credential provider. */
  readonly provider = (): Promise<TemporaryCredentials> => this.atLeast(PROVIDER_MARGIN_MS);
}
