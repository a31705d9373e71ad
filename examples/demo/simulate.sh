#!/bin/sh
# A stand-in for a detector simulation: "simulates" a beam energy with a seed and prints
# "<energy> <seed> <resolution>". Takes a moment, like a real one.
energy=$1
seed=$2
sleep 0.5
resolution=$(( (energy * 7919 + seed * 104729) % 97 + 100 ))
echo "$energy $seed $resolution"
