from bench.relevance.run import main

main()
