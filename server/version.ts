export { VERSION as SERVER_VERSION } from "../shared/version.js";
