import Agent
import Glibc

exit(AgentCommand.main(Array(CommandLine.arguments.dropFirst())).rawValue)
