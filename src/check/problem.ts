/** One thing wrong with the built site: on which page, by which rule, and what. */
export interface Problem {
  /** The URL path of the page or file, `/2021/08/` or `/feed.xml`. */
  page: string;
  rule: string;
  message: string;
}
