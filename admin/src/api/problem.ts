/** An RFC 9457 problem as the API answers every error. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }

  get status() {
    return this.problem.status;
  }

  /** The message for one body field (`/price`), when the API named it. */
  fieldError(path: string): string | undefined {
    return this.problem.errors?.find((error) => error.path === path)?.message;
  }
}

/** Any response that is not a 2xx, as an ApiError (a non-problem body still gets a readable one). */
export async function toApiError(response: Response): Promise<ApiError> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const body = (await response.json()) as Partial<Problem>;
    return new ApiError({
      title: body.title ?? response.statusText,
      status: response.status,
      detail: body.detail ?? body.title ?? `HTTP ${response.status}`,
      code: body.code ?? 'error',
      ...body,
    });
  }
  return new ApiError({
    title: response.statusText,
    status: response.status,
    detail: `The server answered ${response.status} ${response.statusText}`,
    code: 'http_error',
  });
}
