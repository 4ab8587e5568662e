import { AwsError } from '../../core/errors';
import type { QueryService } from '../../core/types';

/** STS: just enough for tools to learn which account they talk to. */
export function stsService(): QueryService {
  return {
    protocol: 'query',
    signingName: 'sts',
    stateSlice: 'settings',
    version: '2011-06-15',
    xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
    throttling: { code: 'Throttling', status: 400 },
    errorStatus: { Throttling: 400, InternalFailure: 500 },
    missingParameter: (name) => new AwsError('MissingParameter', `The request must contain the parameter ${name}`),
    operations: {
      GetCallerIdentity: (_params, ctx) => ({
        UserId: 'AIDASANDBOXUSER00000',
        Account: ctx.accountId,
        Arn: `arn:${ctx.partition}:iam::${ctx.accountId}:user/sandbox`,
      }),
    },
  };
}
