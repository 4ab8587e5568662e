import { lambdaHandler } from '../lib/handler';
import { findProvisioning } from './find-provisioning';

/** Lambda entry point of the FindProvisioning task (thin: the logic is in find-provisioning.ts). */
export const handler = lambdaHandler('FindProvisioning', findProvisioning);
