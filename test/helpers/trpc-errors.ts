import { TRPCClientError } from '@trpc/client';

/** The tRPC error code a call failed with (undefined when it succeeded): what access tests compare. */
export async function errorCodeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code;
    throw error;
  }
}
