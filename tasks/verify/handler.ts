import { lambdaHandler } from '../lib/handler';
import { verify } from './verify';

/** Lambda entry point of the Verify task (thin: the logic is in verify.ts). */
export const handler = lambdaHandler('Verify', verify);
