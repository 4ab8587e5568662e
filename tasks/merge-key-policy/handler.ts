import { lambdaHandler } from '../lib/handler';
import { mergeKeyPolicy } from './merge-key-policy';

/** Lambda entry point of the MergeKeyPolicy task (thin: the logic is in merge-key-policy.ts). */
export const handler = lambdaHandler('MergeKeyPolicy', mergeKeyPolicy);
