/** The tRPC error code (UNAUTHORIZED, FORBIDDEN, …) of a failed call, whatever typed it. */
export function trpcErrorCode(error: unknown): string | undefined {
  const code = (error as { data?: { code?: unknown } } | null | undefined)?.data?.code;
  return typeof code === 'string' ? code : undefined;
}
