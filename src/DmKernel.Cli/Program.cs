return DmKernel.Cli.CliApp.Run(args);
