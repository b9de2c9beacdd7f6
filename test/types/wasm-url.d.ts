// A bundler's file loader turns an import of the packaged module (dpemu/dpemu.wasm) into its URL.
declare module "*.wasm" {
  const url: string;
  export default url;
}
