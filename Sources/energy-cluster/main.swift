print("energy-cluster")
