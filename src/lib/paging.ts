// A page of results with an opaque continuation token (becomes `nextLink` at the HTTP boundary).

export interface Page<T> {
  items: T[];
  continuationToken?: string;
}
