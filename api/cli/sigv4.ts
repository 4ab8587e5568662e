import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, Provider, QueryParameterBag, SourceData } from '@smithy/types';

/**
 * SigV4 for the CLI calling a deployed API (API Gateway with IAM authorization): the request is signed for the
 * service `execute-api` with the caller's AWS credentials, exactly as `aws` / the SDKs would sign it.
 */

export const SIGNING_SERVICE = 'execute-api';

/** SHA-256 / HMAC-SHA-256 from node:crypto in smithy's `Checksum` shape (the SDK's own hash packages are not hoisted). */
export class NodeSha256 implements Checksum {
  readonly digestLength = 32;
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = NodeSha256.create(secret);
  }

  private static create(secret?: SourceData): Hash | Hmac {
    return secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = NodeSha256.create(this.secret);
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

const EXECUTE_API_HOST = /\.execute-api\.([a-z0-9-]+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/;

/** The region of an API Gateway URL (`<api>.execute-api.<region>.amazonaws.com`); undefined for other hosts. */
export function regionFromUrl(url: URL): string | undefined {
  return EXECUTE_API_HOST.exec(url.hostname)?.[1];
}

/** A local API (bearer token) rather than a deployed one (SigV4). */
export function isLoopback(url: URL): boolean {
  const h = url.hostname;
  return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export interface SigningConfig {
  region: string;
  credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
}

export interface RequestToSign {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The headers to send: the given ones plus `host`, `x-amz-date`, `authorization` (and `x-amz-security-token`
 * for temporary credentials). `host` is signed but must equal what fetch sends, which is `url.host`.
 */
export async function signRequest(req: RequestToSign, config: SigningConfig, signingDate?: Date): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: SIGNING_SERVICE, region: config.region, credentials: config.credentials, sha256: NodeSha256 });
  const query: QueryParameterBag = {};
  for (const key of new Set(req.url.searchParams.keys())) {
    const values = req.url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: req.url.protocol,
      hostname: req.url.hostname,
      ...(req.url.port ? { port: Number(req.url.port) } : {}),
      // API Gateway verifies against the path as sent (percent-encoded); the signer escapes it once more, as AWS expects.
      path: req.url.pathname,
      query,
      headers: { ...req.headers, host: req.url.host },
      ...(req.body !== undefined ? { body: req.body } : {}),
    },
    signingDate ? { signingDate } : {},
  );
  return signed.headers as Record<string, string>;
}

/** The SDK's default credential chain (env, shared config/SSO, web identity, container, instance metadata). */
export function defaultCredentials(): Provider<AwsCredentialIdentity> {
  return defaultProvider();
}
