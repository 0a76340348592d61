print("energy-agent")
