import { AppError } from './errors.ts';

/** Another process holds the port a server of ours was told to listen on. */
export class PortInUseError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('port_in_use', message, options);
  }
}

/**
 * Runs `listen` and turns EADDRINUSE (anywhere in the cause chain: servers wrap it) into a
 * PortInUseError naming the port and the variable that moves it.
 */
export async function listenOrExplain<T>(
  listen: () => Promise<T>,
  where: { what: string; host: string; port: number; variable: string },
): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    throw new PortInUseError(
      `${where.what} cannot listen on ${where.host}:${where.port}: the port is already in use ` +
        `(another \`npm start\` still running?). Stop that process, or set ${where.variable} ` +
        `to another port (0 picks a free one).`,
      { cause: error },
    );
  }
}

function isAddressInUse(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    if (typeof current !== 'object' || current === null) return false;
    if ((current as { code?: unknown }).code === 'EADDRINUSE') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The message of an error a command-line user should read as a sentence, not a stack. */
export function userFacingMessage(error: unknown): string | undefined {
  return error instanceof PortInUseError ? error.message : undefined;
}
