import type { Page } from './tracking';

/** Every item of a paged search, page after page (`page` gets the previous page's token, none at first). */
export async function allPages<T>(page: (token: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...p.items);
    token = p.nextPageToken;
  } while (token);
  return out;
}
