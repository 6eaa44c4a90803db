using System.CommandLine;
using DmKernel.Cli.Commands;

var root = new RootCommand("dmkernel: the Hyper-V Dynamic Memory balancer (DmKernel) from the command line.")
{
    DemoCommand.Create(),
    ReplayCommand.Create(),
    GenerateCommand.Create(),
    CompareCommand.Create(),
};
return root.Parse(args).Invoke();
