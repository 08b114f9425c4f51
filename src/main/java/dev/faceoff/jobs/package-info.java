/** The command-line jobs' contract and dispatcher: {@code Job} (one bean per job, named by its bean name), {@code JobArgs}, {@code JobRunner}. */
package dev.faceoff.jobs;
