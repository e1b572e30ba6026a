// Files bundled as text by wrangler.toml's [[rules]] (type "Text").
declare module "htmx.org/dist/htmx.min.js" {
  const source: string;
  export default source;
}
