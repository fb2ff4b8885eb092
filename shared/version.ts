/** keycast's version, for the server's INFO and hello and the CLI's --version (package.json's; a test keeps them equal). */
export const VERSION = "0.1.0";
